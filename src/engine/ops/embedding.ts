// Embedding lookup: rows of a [V, D] table picked by integer indices. The backward pass scatter-adds into the rows
// the indices name and touches no other: clearing a whole 50257 x 768 gradient each step cost 3-7 ms, against
// 1 ms for the rows of 2048 indices (bench/transformer-ops.ts). The table remembers which rows its gradient
// holds (Tensor.gradRows), so the next step clears just those; the buffer stays dense and exactly what a full
// clear would give, so optimizers (AdamW's decay of every row included) and masks behave as before.
import { kernels } from '../kernels.js';
import { Tensor, shapeStr } from '../tensor.js';
import { needsGrad, record } from '../autograd.js';
import { uninitializedF32 } from '../buffers.js';

/** The distinct values of idx (in first-seen order); idx is checked against [0, V) by the kernels. */
function distinctRows(idx: Int32Array, V: number): Int32Array {
  const seen = new Uint8Array(V);
  const rows = new Int32Array(idx.length);
  let n = 0;
  for (const i of idx)
    if (i >= 0 && i < V && seen[i] === 0) {
      seen[i] = 1;
      rows[n++] = i;
    }
  return rows.slice(0, n);
}

function union(a: Int32Array, b: Int32Array, V: number): Int32Array {
  const all = new Int32Array(a.length + b.length);
  all.set(a);
  all.set(b, a.length);
  return distinctRows(all, V);
}

/** Adds the rows of g to table's gradient at idx, keeping gradRows exact. */
function scatterRows(table: Tensor, g: Float32Array, idx: Int32Array, V: number, D: number): void {
  const rows = distinctRows(idx, V);
  if (!table.grad) {
    table.grad = new Float32Array(V * D);
    table.gradRows = new Int32Array(0);
    table.gradStale = true;
  }
  const buf = table.grad;
  if (table.gradStale) {
    if (table.gradRows) kernels().embeddingClearRows(buf, table.gradRows, V, D, table.gradRows.length);
    else buf.fill(0);
    table.gradRows = rows;
  } else if (table.gradRows) {
    table.gradRows = union(table.gradRows, rows, V);
  }
  table.gradStale = false;
  kernels().embeddingBackward(g, idx, buf, V, D, idx.length, true);
}

export function embedding(
  indices: Int32Array,
  table: Tensor,
  indexShape: readonly number[] = [indices.length],
): Tensor {
  if (table.ndim !== 2) throw new RangeError(`embedding: table must be 2-D [V, D], got ${shapeStr(table.shape)}`);
  const [V, D] = table.shape as [number, number];
  const n = indices.length;
  if (indexShape.reduce((a, b) => a * b, 1) !== n)
    throw new RangeError(`embedding: ${n} indices do not fill shape ${shapeStr(indexShape)}`);
  const y = new Tensor(uninitializedF32(n * D), [...indexShape, D]);
  kernels().embeddingForward(table.data, indices, y.data, V, D, n);
  if (!needsGrad(table)) return y;
  const idx = indices.slice();
  return record(y, 'embedding', [table], (g) => {
    if (table.requiresGrad) scatterRows(table, g, idx, V, D);
  });
}
