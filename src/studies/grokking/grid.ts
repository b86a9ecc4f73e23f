// The grokking study's grid: the MLP with every control on each seed, the transformer's dense base and ticket. Each
// configuration is one `ticketlab grok` process; the dense bases train first (every other run of a seed starts
// from its base), then the rest, `parallel` at a time. Finished runs are stored and reused, so rerunning resumes.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { experimentDir } from '../../store/experiment-dir.js';
import { storedGrokResult, type GrokResult } from './record.js';
import { grokIdentity, runDirName } from './run.js';
import { GROK_DEFAULTS, parseControl, type GrokSettings } from './settings.js';
import { NODE_FLAGS } from '../../util/node-flags.js';

/** The paper's modulus. */
export const PAPER_P = 67;

/** One kind of run of a seed: a control, with its own weight decay or kept fraction where it has one. */
export interface RunKind {
  control: string;
  weightDecay?: number;
  keep?: number;
}

/**
 * The MLP's runs: the base, its ticket, every control, and the two without weight decay (the ticket at the paper's
 * kept fraction 0.19 and the dense base). The transformer runs its base and ticket.
 */
export const MLP_RUNS: RunKind[] = [
  ...['dense', 'ticket', 'l1', 'l2', 'random', 'snip', 'grasp', 'synflow', 'checkpoint:2000'].map((control) => ({
    control,
  })),
  { control: 'ticket', weightDecay: 0, keep: 0.19 },
  { control: 'dense', weightDecay: 0 },
];
export const TRANSFORMER_RUNS: RunKind[] = [{ control: 'dense' }, { control: 'ticket' }];

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

export interface GrokConfig extends RunKind {
  model: string;
  seed: number;
}

export function gridConfigs(g: GrokGrid): GrokConfig[] {
  const out: GrokConfig[] = [];
  const models: [string, RunKind[]][] = [[`grok_mlp_${g.p}`, MLP_RUNS]];
  if (!g.mlpOnly) models.push([`grok_transformer_${g.p}`, TRANSFORMER_RUNS]);
  for (const [model, kinds] of models)
    for (let seed = 0; seed < g.seeds; seed++) for (const k of kinds) out.push({ model, seed, ...k });
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
    weightDecay: c.weightDecay ?? GROK_DEFAULTS.weightDecay,
    keep: c.keep ?? GROK_DEFAULTS.keep,
  };
}

/** A configuration's run as the store names it: dense, ticket, ticket_keep0.19_wd0, checkpoint_2000, … */
export function runName(g: GrokGrid, c: GrokConfig): string {
  return runDirName(configSettings(g, c));
}

/** Where a configuration's result is stored, whether or not it has run. */
export function resultFile(g: GrokGrid, c: GrokConfig): string {
  const s = configSettings(g, c);
  const { dir } = experimentDir(g.root, 'grok', grokIdentity(s));
  return path.join(dir, `seed_${c.seed}`, runDirName(s), 'result.json');
}

/** The stored result of a configuration, or null when it has not finished. */
export function storedResult(g: GrokGrid, c: GrokConfig): GrokResult | null {
  return storedGrokResult(path.dirname(resultFile(g, c)));
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
    ...(c.weightDecay === undefined ? [] : ['--weight-decay', String(c.weightDecay)]),
    ...(c.keep === undefined ? [] : ['--keep', String(c.keep)]),
  ];
}

export interface GridFailure {
  config: GrokConfig;
  /** The run's one-line error. */
  message: string;
}

/** Runs one configuration; a run that fails (e.g. its base never generalized) is returned, not thrown. */
async function runConfig(g: GrokGrid, c: GrokConfig, onRun: (r: GrokResult) => void): Promise<GridFailure | null> {
  const child = spawn(process.execPath, [...NODE_FLAGS, bin, '--json', ...configArgs(g, c), '--root', g.root], {
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
  const isBase = (c: GrokConfig) => c.control === 'dense' && c.weightDecay === undefined;
  for (const phase of [todo.filter(isBase), todo.filter((c) => !isBase(c))]) {
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
