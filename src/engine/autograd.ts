// Reverse-mode autodiff over the graph recorded by ops: topological order, then each GradFn once.
import { Tensor, type GradFn, shapeStr } from './tensor.js';

let gradEnabled = true;

/** Whether ops record a graph (false inside noGrad). */
export function isGradEnabled(): boolean {
  return gradEnabled;
}

/** Runs fn without recording a graph: for evaluation, where it saves memory and time. */
export function noGrad<T>(fn: () => T): T {
  const prev = gradEnabled;
  gradEnabled = false;
  try {
    return fn();
  } finally {
    gradEnabled = prev;
  }
}

/** True when an op over these inputs must record how to differentiate it. */
export function needsGrad(...inputs: (Tensor | null | undefined)[]): boolean {
  if (!gradEnabled) return false;
  for (const t of inputs) if (t && t.requiresGrad) return true;
  return false;
}

/** Attaches a GradFn to an op's output. */
export function record(out: Tensor, name: string, parents: Tensor[], backward: (g: Float32Array) => void): Tensor {
  out.requiresGrad = true;
  const fn: GradFn = { name, parents, backward };
  out.gradFn = fn;
  return out;
}

/**
 * Backpropagates from `root`. A scalar root gets d(root)/d(root) = 1; otherwise pass `gradient`.
 * Gradients of intermediate tensors are released as soon as they have been used.
 */
export function backward(root: Tensor, gradient?: Float32Array): void {
  if (!root.requiresGrad) throw new Error('backward() on a tensor that does not require grad');
  if (!gradient && root.size !== 1)
    throw new Error(`backward() without a gradient needs a scalar, got ${shapeStr(root.shape)}`);
  const order: Tensor[] = [];
  const seen = new Set<Tensor>();
  // Iterative DFS: deep nets (ResNet, transformers) would overflow a recursive one.
  const stack: [Tensor, number][] = [[root, 0]];
  seen.add(root);
  while (stack.length) {
    const top = stack[stack.length - 1]!;
    const [t, i] = top;
    const parents = t.gradFn?.parents ?? [];
    if (i < parents.length) {
      top[1] = i + 1;
      const p = parents[i]!;
      if (p.requiresGrad && !seen.has(p)) {
        seen.add(p);
        stack.push([p, 0]);
      }
    } else {
      stack.pop();
      order.push(t);
    }
  }
  root.grad = gradient ? Float32Array.from(gradient) : Float32Array.of(1);
  root.gradStale = false;
  for (let k = order.length - 1; k >= 0; k--) {
    const t = order[k]!;
    if (!t.gradFn) continue;
    const g = t.grad;
    if (g && !t.gradStale) t.gradFn.backward(g);
    // Non-leaf: free the gradient and the graph edge so activations can be collected.
    t.grad = null;
    t.gradFn = null;
  }
}
