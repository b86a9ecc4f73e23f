// Worker thread of a run lock's holder: touches the owner file on its own event loop, so the heartbeat goes on
// while the main thread is blocked in a long computation.
import * as fs from 'node:fs';
import { workerData } from 'node:worker_threads';

const { file, intervalMs } = workerData as { file: string; intervalMs: number };
setInterval(() => {
  const now = new Date();
  try {
    fs.utimesSync(file, now, now);
  } catch {
    // the owner file is gone (released, or the run directory deleted): the holder's assertHeld() reports it
  }
}, intervalMs);
