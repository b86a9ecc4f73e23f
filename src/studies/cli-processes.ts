// The study grids' child processes: one `ticketlab` CLI process per unit of work (a LeNet replicate, a Plant 'n'
// Seek configuration), `parallel` of them at a time, each printing JSON lines on stdout. The CLI stores what it
// trains, so an interrupted grid resumes by running the same commands again.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { NODE_FLAGS } from '../util/node-flags.js';

const bin = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'bin', 'ticketlab.js');

/**
 * Runs `ticketlab <args>`, calling onJson with every JSON line it prints; resolves with its exit code. stderr is
 * passed through ('inherit') or collected and returned ('pipe').
 */
export async function runCliProcess(
  args: readonly string[],
  onJson: (value: unknown) => void,
  stderr: 'inherit' | 'pipe' = 'inherit',
): Promise<{ code: number; stderr: string }> {
  const child = spawn(process.execPath, [...NODE_FLAGS, bin, ...args], { stdio: ['ignore', 'pipe', stderr] });
  child.stdout!.setEncoding('utf8');
  let pending = '';
  child.stdout!.on('data', (chunk: string) => {
    const lines = (pending + chunk).split('\n');
    pending = lines.pop()!;
    for (const line of lines) {
      let value: unknown;
      try {
        value = JSON.parse(line);
      } catch {
        continue; // not a JSON line
      }
      onJson(value);
    }
  });
  let err = '';
  child.stderr?.setEncoding('utf8').on('data', (c: string) => (err += c));
  const code = await new Promise<number>((res) => child.on('exit', (c) => res(c ?? 1)));
  return { code, stderr: err };
}

/** Calls `work` on every item, at most `parallel` at a time, taking items in order. */
export async function inParallel<T>(
  items: readonly T[],
  parallel: number,
  work: (item: T) => Promise<void>,
): Promise<void> {
  const queue = [...items];
  const worker = async () => {
    for (let it = queue.shift(); it !== undefined; it = queue.shift()) await work(it);
  };
  await Promise.all(Array.from({ length: Math.max(1, parallel) }, worker));
}
