// Channel slimming of the supernet (network slimming, Liu et al. 2017, as SuperTickets / HR-NAS search): an L1
// penalty on the scales of the BN after every depthwise conv pushes unneeded expansion channels to zero; channels
// whose |scale| falls below a threshold are cut. Cutting rebuilds the network with the surviving channels (a branch
// left with none is removed; a block left with no branch is refused), and carries over everything that lives per
// channel: weights, BN statistics, masks and the optimizer's state, so training goes on where it was.
import { Supernet, type SupernetArch } from '../models/supernet.js';
import type { Masks } from '../pruning/masks.js';
import type { Parameter } from '../nn/parameter.js';
import { ConfigError } from '../util/errors.js';

/** The BN scales the search penalizes: one per expansion channel of every branch, by branch path. */
export function slimmingScales(model: Supernet): Map<string, Parameter> {
  const out = new Map<string, Parameter>();
  for (const [name, p] of model.namedParameters()) {
    const m = /^(blocks\.\d+\.k\d+)\.dw_bn\.weight$/.exec(name);
    if (m) out.set(m[1]!, p);
  }
  return out;
}

/** Adds the L1 subgradient λ·sign(γ) to every slimming scale's gradient (call between backward and step). */
export function addL1Subgradient(model: Supernet, lambda: number): void {
  if (!(lambda >= 0 && Number.isFinite(lambda))) throw new ConfigError(`the L1 strength must be ≥ 0, got ${lambda}`);
  if (lambda === 0) return;
  for (const p of slimmingScales(model).values()) {
    if (!p.grad || p.gradStale) continue;
    for (let i = 0; i < p.size; i++) p.grad[i] = p.grad[i]! + lambda * Math.sign(p.data[i]!);
  }
}

export interface CutPlan {
  arch: SupernetArch;
  /** Surviving channel indices of every branch that keeps any, by branch path (blocks.<b>.k<kernel>). */
  keep: Map<string, Int32Array>;
  cut: number;
  total: number;
}

/**
 * Which expansion channels survive `threshold`. A cut that would empty a whole block is refused (`emptyBlock:
 * 'refuse'`, a threshold given by hand), or, during a search (`'keep-strongest'`), leaves the block its channel of
 * largest |scale|: a search that silenced a whole block keeps it as thin as a block can be rather than fail.
 */
export function planCut(
  model: Supernet,
  threshold: number,
  emptyBlock: 'refuse' | 'keep-strongest' = 'refuse',
): CutPlan {
  if (!(threshold >= 0 && Number.isFinite(threshold)))
    throw new ConfigError(`the channel threshold must be ≥ 0, got ${threshold}`);
  const scales = slimmingScales(model);
  const arch: SupernetArch = structuredClone(model.arch);
  const keep = new Map<string, Int32Array>();
  let cut = 0;
  let total = 0;
  arch.blocks.forEach((block, b) => {
    const live = block.branches.filter((br) => br.hidden > 0);
    const scaleOf = (br: { kernel: number }) => scales.get(`blocks.${b}.k${br.kernel}`)!.data;
    const kept = live.map((br) => {
      const g = scaleOf(br);
      return Int32Array.from([...g.keys()].filter((i) => Math.abs(g[i]!) >= threshold));
    });
    if (kept.every((k) => k.length === 0)) {
      const strongest = Math.max(...live.map((br) => maxAbs(scaleOf(br))));
      if (emptyBlock === 'refuse')
        throw new ConfigError(
          `threshold ${threshold} would cut every expansion channel of block ${b} (its largest |BN scale| is ` +
            `${strongest.toExponential(2)}): a block needs at least one channel`,
        );
      const j = live.findIndex((br) => maxAbs(scaleOf(br)) === strongest);
      const g = scaleOf(live[j]!);
      kept[j] = Int32Array.of(g.findIndex((v) => Math.abs(v) === strongest));
    }
    live.forEach((br, j) => {
      const path = `blocks.${b}.k${br.kernel}`;
      total += br.hidden;
      cut += br.hidden - kept[j]!.length;
      br.hidden = kept[j]!.length;
      if (kept[j]!.length > 0) keep.set(path, kept[j]!);
    });
  });
  return { arch, keep, cut, total };
}

function maxAbs(a: Float32Array | undefined): number {
  let m = 0;
  if (a) for (const v of a) m = Math.max(m, Math.abs(v));
  return m;
}

/**
 * How a tensor of the old network becomes one of the new: the branch it belongs to and the dimension that holds its
 * expansion channels (0: rows, 1: columns), or null when it has no such dimension (copied whole).
 */
function channelAxis(name: string): { branch: string; axis: 0 | 1 } | null {
  const m = /^(blocks\.\d+\.k\d+)\.(expand|expand_bn|dw|dw_bn|project)\./.exec(name);
  if (!m) return null;
  return { branch: m[1]!, axis: m[2] === 'project' ? 1 : 0 };
}

/** `data` of `shape` with only `keep` along `axis` (0 or 1). */
export function sliceChannels(
  data: Float32Array,
  shape: readonly number[],
  axis: 0 | 1,
  keep: Int32Array,
): Float32Array {
  const d0 = shape[0]!;
  const d1 = shape.length > 1 ? shape[1]! : 1;
  const inner = data.length / (d0 * d1);
  if (axis === 0) {
    const row = data.length / d0;
    const out = new Float32Array(keep.length * row);
    keep.forEach((k, i) => out.set(data.subarray(k * row, (k + 1) * row), i * row));
    return out;
  }
  const out = new Float32Array(d0 * keep.length * inner);
  for (let r = 0; r < d0; r++)
    keep.forEach((k, i) =>
      out.set(data.subarray((r * d1 + k) * inner, (r * d1 + k + 1) * inner), (r * keep.length + i) * inner),
    );
  return out;
}

/** A tensor of the old network as the new network holds it: sliced, copied, or gone (its branch was cut). */
export function carry(name: string, data: Float32Array, shape: readonly number[], plan: CutPlan): Float32Array | null {
  const axis = channelAxis(name);
  if (!axis) return data.slice();
  const keep = plan.keep.get(axis.branch);
  return keep ? sliceChannels(data, shape, axis.axis, keep) : null;
}

/** The branches (blocks.<b>.k<kernel>) the plan narrows but keeps: the blocks a cut rebuilds with fewer channels. */
export function narrowedBranches(model: Supernet, plan: CutPlan): string[] {
  const out: string[] = [];
  model.arch.blocks.forEach((block, b) =>
    block.branches.forEach((br, j) => {
      const left = plan.arch.blocks[b]!.branches[j]!.hidden;
      if (left > 0 && left < br.hidden) out.push(`blocks.${b}.k${br.kernel}`);
    }),
  );
  return out;
}

export interface Surgery {
  model: Supernet;
  masks: Masks | null;
  /** Old parameter index → new parameter index (for optimizer state), for every parameter that survives. */
  parameterMap: Map<number, number>;
}

/** The network rebuilt with the plan's channels, its weights, BN statistics and masks carried over. */
export function cutChannels(model: Supernet, plan: CutPlan, masks: Masks | null = null): Surgery {
  const next = new Supernet(model.name, model.dataset, plan.arch);
  const shapes = new Map(model.namedParameters().map(([n, p]) => [n, p.shape]));
  const bufferShape = (n: string) => [model.namedBuffers().find(([b]) => b === n)![1].length];
  const state = new Map<string, Float32Array>();
  for (const [n, v] of model.stateDict()) {
    const carried = carry(n, v, shapes.get(n) ?? bufferShape(n), plan);
    if (carried) state.set(n, carried);
  }
  next.loadStateDict(state);
  let nextMasks: Masks | null = null;
  if (masks) {
    nextMasks = new Map();
    for (const [n, m] of masks) {
      const carried = carry(n, m, shapes.get(n)!, plan);
      if (carried) nextMasks.set(n, carried);
    }
  }
  const newIndex = new Map(next.parameters().map((p, i) => [p, i]));
  const byName = new Map(next.namedParameters());
  const parameterMap = new Map<number, number>();
  model.namedParameters().forEach(([n], i) => {
    const p = byName.get(n);
    if (p) parameterMap.set(i, newIndex.get(p)!);
  });
  return { model: next, masks: nextMasks, parameterMap };
}

/**
 * The optimizer's state for the rebuilt network: every per-parameter buffer (`<index>.<name>`) sliced like its
 * parameter and renumbered; buffers of cut branches dropped; everything else (the step count) kept.
 */
export function carryOptimizerState(
  state: ReadonlyMap<string, Float32Array>,
  old: Supernet,
  surgery: Surgery,
  plan: CutPlan,
): Map<string, Float32Array> {
  const named = old.namedParameters();
  const out = new Map<string, Float32Array>();
  for (const [key, v] of state) {
    const m = /^(\d+)\.(.+)$/.exec(key);
    if (!m) {
      out.set(key, v.slice());
      continue;
    }
    const i = Number(m[1]);
    const j = surgery.parameterMap.get(i);
    if (j === undefined) continue;
    const [name, p] = named[i]!;
    const carried = v.length === p.size ? carry(name, v, p.shape, plan) : v.slice();
    if (carried) out.set(`${j}.${m[2]}`, carried);
  }
  return out;
}
