// ONNX export of a ticket: the model's inference graph (opset 13) with the masked weights baked in as dense
// initializers. Input "input" [N, C, H, W] float with a dynamic batch N; output "logits" [N, classes].
import type { Model } from '../models/model.js';
import { UserError } from '../util/errors.js';
import { OnnxGraph, OPSET } from './onnx-graph.js';
import { ONNX_FAMILIES, onnxBuilder } from './onnx-models.js';

export { ONNX_FAMILIES } from './onnx-models.js';
export const ONNX_INPUT = 'input';
export const ONNX_OUTPUT = 'logits';

/**
 * Encodes `model` (its current weights, which for a ticket are already final ⊙ mask) as an ONNX model.
 * `meta` becomes the model's metadata_props. Models outside ONNX_FAMILIES are a UserError.
 */
export function encodeOnnx(model: Model, meta: Record<string, string | number> = {}): Uint8Array {
  const build = onnxBuilder(model);
  if (!build)
    throw new UserError(
      `ONNX export supports ${ONNX_FAMILIES.join(', ')}; '${model.name}' is not one of them (use --format safetensors)`,
    );
  const g = new OnnxGraph();
  build(g, model, ONNX_INPUT, ONNX_OUTPUT);
  const metadata = {
    ...Object.fromEntries(Object.entries(meta).map(([k, v]) => [k, String(v)])),
    model: model.name,
    opset: String(OPSET),
  };
  const doc = `ticketlab ${model.name}: eval-mode inference graph with the ticket's mask applied to its weights`;
  return g.encode(
    model.name,
    { name: ONNX_INPUT, dims: model.inputShape },
    { name: ONNX_OUTPUT, dims: [model.numClasses] },
    metadata,
    doc,
  );
}
