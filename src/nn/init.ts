// Weight initializers (in place), with fan-in/fan-out computed as PyTorch does: for conv weights
// [out, in, kh, kw], fan_in = in·kh·kw and fan_out = out·kh·kw.
import type { Rng } from '../engine/rng.js';
import type { Tensor } from '../engine/tensor.js';

export type InitName =
  | 'glorot_normal'
  | 'glorot_uniform'
  | 'kaiming_normal'
  | 'kaiming_uniform'
  | 'lecun_normal'
  | 'gpt2'
  | 'normal'
  | 'zeros';
export const INIT_NAMES: readonly InitName[] = [
  'glorot_normal',
  'glorot_uniform',
  'kaiming_normal',
  'kaiming_uniform',
  'lecun_normal',
  'gpt2',
  'normal',
  'zeros',
];

export function fans(shape: readonly number[]): { fanIn: number; fanOut: number } {
  if (shape.length < 2) return { fanIn: shape[0] ?? 1, fanOut: shape[0] ?? 1 };
  const receptive = shape.slice(2).reduce((a, b) => a * b, 1);
  return { fanIn: shape[1]! * receptive, fanOut: shape[0]! * receptive };
}

export function glorotNormal(t: Tensor, rng: Rng): void {
  const { fanIn, fanOut } = fans(t.shape);
  rng.fillNormal(t.data, 0, Math.sqrt(2 / (fanIn + fanOut)));
}

export function glorotUniform(t: Tensor, rng: Rng): void {
  const { fanIn, fanOut } = fans(t.shape);
  const a = Math.sqrt(6 / (fanIn + fanOut));
  rng.fillUniform(t.data, -a, a);
}

/** He initialization for ReLU (gain √2), fan-in mode. */
export function kaimingNormal(t: Tensor, rng: Rng): void {
  rng.fillNormal(t.data, 0, Math.sqrt(2 / fans(t.shape).fanIn));
}

export function kaimingUniform(t: Tensor, rng: Rng): void {
  const a = Math.sqrt(6 / fans(t.shape).fanIn);
  rng.fillUniform(t.data, -a, a);
}

export function normal(t: Tensor, rng: Rng, std: number): void {
  rng.fillNormal(t.data, 0, std);
}

/** N(0, 1/fan_in): the grokking reference's init of every matrix ("N(0, 1/√d_in)" as a standard deviation). */
export function lecunNormal(t: Tensor, rng: Rng): void {
  rng.fillNormal(t.data, 0, 1 / Math.sqrt(fans(t.shape).fanIn));
}

/** How a layer's bias starts: at zero (the LTH reference code, TensorFlow's default) or PyTorch's default uniform. */
export type BiasInit = 'zeros' | 'uniform';
export const BIAS_INITS: readonly BiasInit[] = ['zeros', 'uniform'];

/**
 * The bias init a weight scheme implies when none is chosen, which is what every run had before `--bias-init`
 * existed: zero under LeCun (as the grokking reference uses it) and GPT-2, else uniform.
 */
export function impliedBiasInit(init: InitName): BiasInit {
  return init === 'lecun_normal' || init === 'gpt2' ? 'zeros' : 'uniform';
}

/** A layer's bias: zero, or U(-1/√fan_in, 1/√fan_in). */
export function initializeBias(b: Tensor, bias: BiasInit, fanIn: number, rng: Rng): void {
  if (bias === 'zeros') b.data.fill(0);
  else biasUniform(b, fanIn, rng);
}

/** PyTorch's default bias initialization: U(-1/√fan_in, 1/√fan_in). */
function biasUniform(b: Tensor, fanIn: number, rng: Rng): void {
  const a = 1 / Math.sqrt(fanIn);
  rng.fillUniform(b.data, -a, a);
}

export function initialize(t: Tensor, name: InitName, rng: Rng, std = 0.01): void {
  switch (name) {
    case 'glorot_normal':
      return glorotNormal(t, rng);
    case 'glorot_uniform':
      return glorotUniform(t, rng);
    case 'kaiming_normal':
      return kaimingNormal(t, rng);
    case 'lecun_normal':
      return lecunNormal(t, rng);
    case 'gpt2': // GPT-2's N(0, 0.02) for every matrix
      return normal(t, rng, 0.02);
    case 'kaiming_uniform':
      return kaimingUniform(t, rng);
    case 'normal':
      return normal(t, rng, std);
    case 'zeros':
      t.data.fill(0);
      return;
  }
}
