// Where runs are stored: --root, else $TICKETLAB_ROOT, else ~/.ticketlab/runs.
import os from 'node:os';
import path from 'node:path';

export function defaultRoot(): string {
  return process.env.TICKETLAB_ROOT ?? path.join(os.homedir(), '.ticketlab', 'runs');
}
