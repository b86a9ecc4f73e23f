// The KS-Lottery study's grid: one `ticketlab ks-study` process per seed, `parallel` at a time. Finished stages are
// stored, so a rerun resumes; a seed that fails is reported, not thrown.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { NODE_FLAGS } from '../../util/node-flags.js';
import { KS_STUDY_DEFAULTS, type KsStudySettings } from './settings.js';

const bin = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..', 'bin', 'ticketlab.js');

/** `ticketlab ks-study` flags for the settings that differ from the defaults. */
export function ksStudyArgs(s: KsStudySettings): string[] {
  const d = KS_STUDY_DEFAULTS;
  const flag = (name: string) => `--${name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
  const args = ['ks-study'];
  for (const key of Object.keys(d) as (keyof KsStudySettings)[]) {
    const [v, dv] = [s[key], d[key]];
    if (Array.isArray(v) ? v.join() !== (dv as number[]).join() : v !== dv)
      args.push(flag(key), Array.isArray(v) ? v.join(',') : String(v));
  }
  return args;
}

export interface SeedFailure {
  seed: number;
  message: string;
}

export async function runKsGrid(
  s: KsStudySettings,
  seeds: number,
  parallel: number,
  root: string,
  onSeed: (seed: number) => void,
): Promise<SeedFailure[]> {
  const queue = Array.from({ length: seeds }, (_, i) => i);
  const failures: SeedFailure[] = [];
  const worker = async () => {
    for (let seed = queue.shift(); seed !== undefined; seed = queue.shift()) {
      const args = [...NODE_FLAGS, bin, '--json', ...ksStudyArgs({ ...s, seed }), '--root', root];
      const child = spawn(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'] });
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
