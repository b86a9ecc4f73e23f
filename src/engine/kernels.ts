// The kernels ops call: the native core's, or, for the duration of one synchronous call, a scoped override of some
// of them (finite-difference Hessian products replay recorded ReLU patterns this way, see pruning/kinks.ts). The
// native module itself is never modified.
import { native, type NativeCore } from './native.js';

let active: NativeCore = native;

export function kernels(): NativeCore {
  return active;
}

/** Runs fn with the given kernels in place of the native ones; the previous set is restored however fn ends. */
export function withKernels<T>(override: Partial<NativeCore>, fn: () => T): T {
  const saved = active;
  active = { ...saved, ...override };
  try {
    return fn();
  } finally {
    active = saved;
  }
}
