// Modules: a tree of named children and parameters with stable dotted names (`fc1.weight`, `blocks.0.conv.weight`),
// a training flag, and buffers (batch-norm running statistics) that are state but not trained.
import type { Tensor } from '../engine/tensor.js';
import { Parameter } from './parameter.js';

export abstract class Module {
  training = true;
  private readonly _children = new Map<string, Module>();
  private readonly _params = new Map<string, Parameter>();
  private readonly _buffers = new Map<string, Float32Array>();

  abstract forward(x: Tensor): Tensor;

  protected addModule<M extends Module>(name: string, m: M): M {
    this._children.set(name, m);
    return m;
  }

  protected addParameter(name: string, p: Parameter): Parameter {
    this._params.set(name, p);
    return p;
  }

  protected addBuffer(name: string, b: Float32Array): Float32Array {
    this._buffers.set(name, b);
    return b;
  }

  children(): [string, Module][] {
    return [...this._children];
  }

  /** This module and every descendant, depth first in registration order, with dotted prefixes ('' for this one, 'fc1.', 'blocks.0.'). */
  namedModules(prefix = ''): [string, Module][] {
    const out: [string, Module][] = [[prefix, this]];
    for (const [n, c] of this._children) out.push(...c.namedModules(`${prefix}${n}.`));
    return out;
  }

  /** All parameters with dotted names, in registration order (deterministic). */
  namedParameters(prefix = ''): [string, Parameter][] {
    const out: [string, Parameter][] = [];
    for (const [n, p] of this._params) out.push([prefix + n, p]);
    for (const [n, c] of this._children) out.push(...c.namedParameters(`${prefix}${n}.`));
    return out;
  }

  parameters(): Parameter[] {
    return this.namedParameters().map(([, p]) => p);
  }

  /** Prunable weights only (linear and conv weights). */
  prunableParameters(): [string, Parameter][] {
    return this.namedParameters().filter(([, p]) => p.prunable);
  }

  namedBuffers(prefix = ''): [string, Float32Array][] {
    const out: [string, Float32Array][] = [];
    for (const [n, b] of this._buffers) out.push([prefix + n, b]);
    for (const [n, c] of this._children) out.push(...c.namedBuffers(`${prefix}${n}.`));
    return out;
  }

  /** Copies of every parameter and buffer, keyed by dotted name. */
  stateDict(): Map<string, Float32Array> {
    const s = new Map<string, Float32Array>();
    for (const [n, p] of this.namedParameters()) s.set(n, p.denseCopy());
    for (const [n, b] of this.namedBuffers()) s.set(n, b.slice());
    return s;
  }

  /** Loads values by name (shapes must match); masks stay attached and are re-applied, packed weights stay packed. */
  loadStateDict(state: ReadonlyMap<string, Float32Array>, strict = true): void {
    const params = new Map(this.namedParameters());
    const buffers = new Map(this.namedBuffers());
    const sizes = new Map<string, number>([
      ...[...params].map(([n, p]) => [n, p.size] as [string, number]),
      ...[...buffers].map(([n, b]) => [n, b.length] as [string, number]),
    ]);
    for (const [n, size] of sizes) {
      const src = state.get(n);
      if (!src) {
        if (strict) throw new Error(`state is missing '${n}'`);
        continue;
      }
      if (src.length !== size) throw new RangeError(`'${n}' has ${src.length} values, the model expects ${size}`);
    }
    if (strict) for (const n of state.keys()) if (!sizes.has(n)) throw new Error(`state has unknown entry '${n}'`);
    for (const [n, p] of params) {
      const src = state.get(n);
      if (src) p.assignDense(src);
    }
    for (const [n, b] of buffers) {
      const src = state.get(n);
      if (src) b.set(src);
    }
  }

  train(on = true): this {
    this.training = on;
    for (const [, c] of this._children) c.train(on);
    return this;
  }

  eval(): this {
    return this.train(false);
  }

  zeroGrad(): void {
    for (const p of this.parameters()) p.zeroGrad();
  }

  /** Number of parameters (all, and prunable weights). */
  countParameters(): { total: number; prunable: number } {
    let total = 0;
    let prunable = 0;
    for (const p of this.parameters()) {
      total += p.size;
      if (p.prunable) prunable += p.size;
    }
    return { total, prunable };
  }
}
