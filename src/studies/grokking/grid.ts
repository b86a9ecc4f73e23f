// The grokking study's grid: the MLP with every control on each seed, the transformer's dense base and ticket. Each
// configuration is one `ticketlab grok` process; the dense bases train first (every other run of a seed starts
// from its base), then the rest, `parallel` at a time. Finished runs are stored and reused, so rerunning resumes.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { experimentDir } from '../../store/experiment-dir.js';
import { readJson } from '../../store/json.js';
import { grokResult, type GrokResult } from './record.js';
import { grokIdentity, runDirName } from './run.js';
import { GROK_DEFAULTS, parseControl, type GrokSettings } from './settings.js';

/** The paper's modulus and the controls run on the MLP (the transformer runs the first two). */
export const PAPER_P = 67;
export const MLP_CONTROLS = ['dense', 'ticket', 'l1', 'l2', 'random', 'snip', 'grasp', 'synflow', 'checkpoint:2000'];
export const TRANSFORMER_CONTROLS = ['dense', 'ticket'];

export interface GrokGrid {
  seeds: number;
  /** Smoke tests shrink the task; the reproduction keeps the paper's (p 67, 40% training pairs, lr 1e-3). */
  p: number;
  trainFraction: number;
  lr: number;
  epochs: number;
  /** Leave the transformer out (smoke tests). */
  mlpOnly?: boolean;
  root: string;
}

export interface GrokConfig {
  model: string;
  seed: number;
  control: string;
}

export function gridConfigs(g: GrokGrid): GrokConfig[] {
  const out: GrokConfig[] = [];
  const models: [string, string[]][] = [[`grok_mlp_${g.p}`, MLP_CONTROLS]];
  if (!g.mlpOnly) models.push([`grok_transformer_${g.p}`, TRANSFORMER_CONTROLS]);
  for (const [model, controls] of models)
    for (let seed = 0; seed < g.seeds; seed++) for (const control of controls) out.push({ model, seed, control });
  return out;
}

export function configSettings(g: GrokGrid, c: GrokConfig): GrokSettings {
  return {
    ...GROK_DEFAULTS,
    model: c.model,
    p: g.p,
    trainFraction: g.trainFraction,
    lr: g.lr,
    epochs: g.epochs,
    seed: c.seed,
    control: parseControl(c.control),
  };
}

/** Where a configuration's result is stored, whether or not it has run. */
export function resultFile(g: GrokGrid, c: GrokConfig): string {
  const s = configSettings(g, c);
  const { dir } = experimentDir(g.root, 'grok', grokIdentity(s));
  return path.join(dir, `seed_${c.seed}`, runDirName(s), 'result.json');
}

/** The stored result of a configuration, or null when it has not finished. */
export function storedResult(g: GrokGrid, c: GrokConfig): GrokResult | null {
  const file = resultFile(g, c);
  if (!fs.existsSync(file)) return null;
  return { ...readJson(file, grokResult), reused: true, dir: path.dirname(file) };
}

const bin = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..', 'bin', 'ticketlab.js');

/** `ticketlab grok` arguments of a configuration. */
export function configArgs(g: GrokGrid, c: GrokConfig): string[] {
  return [
    'grok',
    '--model',
    c.model,
    '--control',
    c.control,
    '--seed',
    String(c.seed),
    '--train-fraction',
    String(g.trainFraction),
    '--lr',
    String(g.lr),
    '--epochs',
    String(g.epochs),
  ];
}

export interface GridFailure {
  config: GrokConfig;
  /** The run's one-line error. */
  message: string;
}

/** Runs one configuration; a run that fails (e.g. its base never generalized) is returned, not thrown. */
async function runConfig(g: GrokGrid, c: GrokConfig, onRun: (r: GrokResult) => void): Promise<GridFailure | null> {
  const child = spawn(process.execPath, [bin, '--json', ...configArgs(g, c), '--root', g.root], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.setEncoding('utf8');
  child.stderr.setEncoding('utf8');
  child.stdout.on('data', (chunk: string) => (out += chunk));
  child.stderr.on('data', (chunk: string) => (err += chunk));
  const code = await new Promise<number>((res) => child.on('exit', (k) => res(k ?? 1)));
  if (code !== 0) return { config: c, message: err.trim().split('\n').pop() ?? `exit code ${code}` };
  onRun(JSON.parse(out.trim().split('\n').pop()!) as GrokResult);
  return null;
}

/** Runs the unfinished configurations, bases first; returns how many trained and which failed. */
export async function runGrokGrid(
  g: GrokGrid,
  parallel: number,
  onRun: (r: GrokResult) => void = () => {},
): Promise<{ trained: number; failures: GridFailure[] }> {
  const todo = gridConfigs(g).filter((c) => storedResult(g, c) === null);
  let trained = 0;
  const failures: GridFailure[] = [];
  const count = (r: GrokResult) => {
    if (!r.reused) trained++;
    onRun(r);
  };
  for (const phase of [todo.filter((c) => c.control === 'dense'), todo.filter((c) => c.control !== 'dense')]) {
    const queue = [...phase];
    const worker = async () => {
      for (let c = queue.shift(); c !== undefined; c = queue.shift()) {
        const failed = await runConfig(g, c, count);
        if (failed) failures.push(failed);
      }
    };
    await Promise.all(Array.from({ length: Math.max(1, parallel) }, worker));
  }
  return { trained, failures };
}
