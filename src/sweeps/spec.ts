// A sweep's spec file (YAML): the command every job runs, fixed flags, axes whose product makes the grid, and
// replicates. Everything is checked before anything runs, against the command's own flags, and a mistake names its
// line. Each job is one ordinary command line; the command stores and finds its run by the hash of its
// hyperparameters as it always does, so the sweep adds no run identity of its own.
//
//   command: lottery
//   flags: { model: mnist_lenet_300_100, levels: 3, steps: 2000it }
//   axes: { lr: [0.0012, 0.003], branch: [random_reinit, random_prune] }
//   replicates: 2
import { LineCounter, isMap, isScalar, isSeq, parseDocument, type Node } from 'yaml';
import { hparamHash } from '../store/hash.js';
import { UserError } from '../util/errors.js';

export type FlagValue = string | number | boolean;

export interface SweepJob {
  /** The command line after `ticketlab` (without --json, --root and --threads, which the runner adds). */
  args: string[];
  /** The axes' values and the replicate, for tables and reports. */
  point: Record<string, FlagValue>;
  /** Stable id of the job: the hash of its command line. */
  key: string;
}

export interface SweepSpec {
  command: string;
  flags: Record<string, FlagValue>;
  axes: Record<string, FlagValue[]>;
  replicates: number;
  /** How a replicate is passed: `--replicate r` (from 1) where the command has it, else `--seed r` (from 0). */
  replicateFlag: 'replicate' | 'seed' | null;
  jobs: SweepJob[];
  /** Hash of the whole grid: names the sweep's state. */
  hash: string;
}

/** The commands a sweep may run, each with its long flags (without the leading dashes). */
export type CommandFlags = ReadonlyMap<string, ReadonlySet<string>>;

/** Flags the sweep sets itself. */
const RESERVED = new Set(['root', 'json', 'threads', 'debug']);

export function parseSweepSpec(text: string, file: string, commands: CommandFlags): SweepSpec {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false });
  const at = (node: Node | null | undefined) =>
    node?.range ? `${file}:${lineCounter.linePos(node.range[0]).line}` : file;
  const fail = (node: Node | null | undefined, message: string): never => {
    throw new UserError(`${at(node)}: ${message}`);
  };
  if (doc.errors.length > 0) {
    const e = doc.errors[0]!;
    const line = lineCounter.linePos(e.pos[0]).line;
    throw new UserError(`${file}:${line}: the spec is not valid YAML (${e.message.split('\n')[0]})`);
  }
  const root = doc.contents;
  if (!isMap(root)) return fail(root, 'the spec must be a mapping with command, flags, axes and replicates');
  const known = new Set(['command', 'flags', 'axes', 'replicates']);
  for (const item of root.items) {
    const key = isScalar(item.key) ? String(item.key.value) : '';
    if (!known.has(key))
      fail(item.key as Node, `unknown key '${key}' (a spec has command, flags, axes and replicates)`);
  }
  const commandNode = root.get('command', true);
  if (!isScalar(commandNode) || typeof commandNode.value !== 'string')
    return fail(commandNode ?? root, "the spec needs 'command:', the ticketlab command every job runs");
  const command = commandNode.value;
  const flagsOf = commands.get(command);
  if (!flagsOf)
    return fail(commandNode, `unknown command '${command}'; a sweep runs one of ${[...commands.keys()].join(', ')}`);

  const checkFlag = (keyNode: Node, name: string) => {
    if (RESERVED.has(name)) fail(keyNode, `--${name} is set by the sweep itself`);
    if (!flagsOf.has(name)) {
      const near = [...flagsOf].find((f) => f.replace(/-/g, '') === name.replace(/[-_]/g, '').toLowerCase());
      fail(keyNode, `${command} has no flag --${name}${near ? ` (did you mean --${near}?)` : ''}`);
    }
  };
  const scalar = (node: unknown, where: Node): FlagValue => {
    if (!isScalar(node) || !['string', 'number', 'boolean'].includes(typeof node.value))
      return fail(where, 'a flag value must be a string, a number or true/false');
    return node.value as FlagValue;
  };
  const flags: Record<string, FlagValue> = {};
  const flagsNode = root.get('flags', true);
  if (flagsNode !== undefined) {
    if (!isMap(flagsNode)) return fail(flagsNode, "'flags' must be a mapping of flag names to values");
    for (const item of flagsNode.items) {
      const k = item.key as Node;
      const name = String((item.key as { value: unknown }).value);
      checkFlag(k, name);
      flags[name] = isSeq(item.value)
        ? item.value.items.map((v) => scalar(v, k)).join(',')
        : scalar(item.value, (item.value as Node) ?? k);
    }
  }
  const axes: Record<string, FlagValue[]> = {};
  const axesNode = root.get('axes', true);
  if (axesNode !== undefined) {
    if (!isMap(axesNode)) return fail(axesNode, "'axes' must be a mapping of flag names to lists of values");
    for (const item of axesNode.items) {
      const k = item.key as Node;
      const name = String((item.key as { value: unknown }).value);
      checkFlag(k, name);
      if (name in flags) fail(k, `--${name} is both a fixed flag and an axis`);
      if (!isSeq(item.value) || item.value.items.length === 0)
        fail((item.value as Node) ?? k, `axis ${name} must be a non-empty list of values`);
      axes[name] = (item.value as { items: unknown[] }).items.map((v) => scalar(v, k));
    }
  }
  const repNode = root.get('replicates', true);
  let replicates = 1;
  if (repNode !== undefined) {
    const v = isScalar(repNode) ? repNode.value : null;
    if (!(typeof v === 'number' && Number.isInteger(v) && v >= 1 && v <= 1000))
      return fail(repNode, "'replicates' must be an integer from 1 to 1000");
    replicates = v;
  }
  const replicateFlag = flagsOf.has('replicate') ? 'replicate' : flagsOf.has('seed') ? 'seed' : null;
  if (replicates > 1 && !replicateFlag) fail(repNode, `${command} has no --replicate or --seed flag to replicate with`);
  if (replicates > 1 && replicateFlag && (replicateFlag in flags || replicateFlag in axes))
    fail(repNode, `'replicates' sets --${replicateFlag}: do not give it as a flag or an axis too`);

  const jobs = grid(axes, replicates > 1 ? replicateFlag : null, replicates).map((point) => {
    const args = [command, ...toArgs({ ...flags, ...point })];
    return { args, point, key: hparamHash(args) };
  });
  return {
    command,
    flags,
    axes,
    replicates,
    replicateFlag,
    jobs,
    hash: hparamHash(jobs.map((j) => j.key)),
  };
}

/** Every combination of the axes' values (in the spec's order, the last axis fastest), times the replicates. */
function grid(
  axes: Record<string, FlagValue[]>,
  replicateFlag: 'replicate' | 'seed' | null,
  replicates: number,
): Record<string, FlagValue>[] {
  let points: Record<string, FlagValue>[] = [{}];
  for (const [name, values] of Object.entries(axes))
    points = points.flatMap((p) => values.map((v) => ({ ...p, [name]: v })));
  if (!replicateFlag) return points;
  const first = replicateFlag === 'replicate' ? 1 : 0;
  return points.flatMap((p) => Array.from({ length: replicates }, (_, r) => ({ ...p, [replicateFlag]: first + r })));
}

function toArgs(flags: Record<string, FlagValue>): string[] {
  const out: string[] = [];
  for (const [name, v] of Object.entries(flags)) {
    if (v === false) continue;
    out.push(`--${name}`);
    if (v !== true) out.push(String(v));
  }
  return out;
}
