// A study whose unit is one seed: one `ticketlab <command>` process per seed, `parallel` at a time, each given the
// settings that differ from the study's defaults as flags. Finished stages are stored by the command, so a rerun
// resumes; a seed that fails is reported, not thrown.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fs from 'node:fs';
import { appendSession, startSession } from '../report/runtime.js';
import { UserError } from '../util/errors.js';
import { NODE_FLAGS } from '../util/node-flags.js';

const bin = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'bin', 'ticketlab.js');

type Setting = number | string | number[] | string[];

/** `command` and a `--kebab-case` flag for every setting that differs from its default (lists comma-separated). */
export function settingsArgs<S extends Record<string, Setting>>(command: string, s: S, defaults: S): string[] {
  const flag = (name: string) => `--${name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
  const text = (v: Setting) => (Array.isArray(v) ? v.join(',') : String(v));
  const args = [command];
  for (const key of Object.keys(defaults))
    if (text(s[key]!) !== text(defaults[key]!)) args.push(flag(key), text(s[key]!));
  return args;
}

export interface SeedFailure {
  seed: number;
  message: string;
}

export async function runSeedGrid(
  argsOf: (seed: number) => string[],
  seeds: number,
  parallel: number,
  root: string,
  onSeed: (seed: number) => void,
): Promise<SeedFailure[]> {
  const queue = Array.from({ length: seeds }, (_, i) => i);
  const failures: SeedFailure[] = [];
  const worker = async () => {
    for (let seed = queue.shift(); seed !== undefined; seed = queue.shift()) {
      const child = spawn(process.execPath, [...NODE_FLAGS, bin, '--json', ...argsOf(seed), '--root', root], {
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      let err = '';
      child.stderr.setEncoding('utf8');
      child.stderr.on('data', (chunk: string) => (err += chunk));
      const code = await new Promise<number>((res) => child.on('exit', (k) => res(k ?? 1)));
      if (code === 0) onSeed(seed);
      else failures.push({ seed, message: err.trim().split('\n').pop() ?? `exit code ${code}` });
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, parallel) }, worker));
  return failures;
}

export interface RecordedGrid {
  /** The script's name in messages, e.g. repro:ks. */
  script: string;
  argsOf: (seed: number) => string[];
  seeds: number;
  parallel: number;
  root: string;
  /** Where the runtime sessions of the study are appended. */
  sessionsFile: string;
}

/**
 * Runs every seed, logs each as it finishes, records the session (even when stopped early) and throws one line when
 * a seed failed, after naming each failure.
 */
export async function runRecordedSeedGrid(g: RecordedGrid): Promise<void> {
  console.error(`${g.script}: ${g.seeds} seed(s), ${g.parallel} at a time, under ${g.root}`);
  const session = startSession(g.parallel);
  let done = 0;
  let failures: SeedFailure[];
  try {
    failures = await runSeedGrid(g.argsOf, g.seeds, g.parallel, g.root, (seed) => {
      done++;
      console.error(`seed ${seed} done`);
    });
  } finally {
    if (done > 0) {
      fs.mkdirSync(path.dirname(g.sessionsFile), { recursive: true });
      appendSession(g.sessionsFile, session.finish(done));
    }
  }
  for (const f of failures) console.error(`seed ${f.seed} failed: ${f.message}`);
  if (failures.length > 0) throw new UserError(`${failures.length} seed(s) failed; rerun to resume`);
}
