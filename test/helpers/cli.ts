// Runs the real CLI in a child process.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import fs from 'node:fs';
import os from 'node:os';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const bin = path.join(repoRoot, 'bin', 'ticketlab.js');

export interface CliResult {
  status: number | null;
  stdout: string;
  stderr: string;
  /** The last stdout line parsed as JSON (for --json runs). */
  json<T = Record<string, unknown>>(): T;
}

/** Runs stored by tests go to a temporary root of this test process, never to the user's ~/.ticketlab. */
let testRoot: string | undefined;
function defaultTestRoot(): string {
  testRoot ??= fs.mkdtempSync(path.join(os.tmpdir(), 'tl-test-root-'));
  return testRoot;
}
process.on('exit', () => testRoot && fs.rmSync(testRoot, { recursive: true, force: true }));

export function runCli(args: string[], env: Record<string, string> = {}): CliResult {
  const r = spawnSync(process.execPath, [bin, ...args], {
    encoding: 'utf8',
    env: { ...process.env, TICKETLAB_ROOT: defaultTestRoot(), ...env },
    timeout: 120_000,
  });
  return {
    status: r.status,
    stdout: r.stdout,
    stderr: r.stderr,
    json<T>() {
      const lines = r.stdout.trim().split('\n');
      return JSON.parse(lines[lines.length - 1]!) as T;
    },
  };
}
