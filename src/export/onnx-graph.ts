// A small builder for ONNX graphs (opset 13), serialized with onnx-proto's protobufjs classes. Weights become
// float initializers named after the model's parameters; every node output gets a fresh name.
import { createRequire } from 'node:module';
import onnxProto from 'onnx-proto';

const { onnx } = onnxProto;
const version = (createRequire(import.meta.url)('../../../package.json') as { version: string }).version;

export const OPSET = 13;
/** The IR version that goes with opset 13 (ONNX 1.8). */
const IR_VERSION = 7;
const FLOAT = onnx.TensorProto.DataType.FLOAT;
const AttrType = onnx.AttributeProto.AttributeType;

export type Attr = onnxProto.onnx.IAttributeProto;
export const attr = {
  int: (name: string, i: number): Attr => ({ name, type: AttrType.INT, i }),
  ints: (name: string, ints: number[]): Attr => ({ name, type: AttrType.INTS, ints }),
  float: (name: string, f: number): Attr => ({ name, type: AttrType.FLOAT, f }),
};

/** A graph input or output: float, with the first dimension dynamic (the batch, named N). */
export interface GraphValue {
  name: string;
  /** Dimensions after the batch one. */
  dims: readonly number[];
}

export class OnnxGraph {
  private readonly nodes: onnxProto.onnx.INodeProto[] = [];
  private readonly initializers: onnxProto.onnx.ITensorProto[] = [];
  private readonly used = new Set<string>();
  private readonly counts = new Map<string, number>();

  /** Adds a float initializer; returns its name. */
  initializer(name: string, dims: readonly number[], data: Float32Array): string {
    if (this.used.has(name)) throw new Error(`onnx graph: name '${name}' used twice`);
    if (dims.reduce((a, b) => a * b, 1) !== data.length)
      throw new RangeError(`onnx graph: initializer '${name}' has ${data.length} values for dims [${dims}]`);
    this.used.add(name);
    // Copy: rawData must be the tensor's own little-endian bytes, not a view into a larger buffer.
    const rawData = new Uint8Array(data.byteLength);
    rawData.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
    this.initializers.push({ name, dims: [...dims], dataType: FLOAT, rawData });
    return name;
  }

  /** Adds a node with one output, named `<op>_<k>` unless given; returns the output's name. */
  node(opType: string, inputs: string[], attributes: Attr[] = [], output?: string): string {
    let out = output;
    if (!out) {
      const k = this.counts.get(opType) ?? 0;
      this.counts.set(opType, k + 1);
      out = `${opType.toLowerCase()}_${k}`;
    }
    if (this.used.has(out)) throw new Error(`onnx graph: name '${out}' used twice`);
    this.used.add(out);
    this.nodes.push({ opType, input: inputs, output: [out], name: out, attribute: attributes });
    return out;
  }

  /** Serializes the graph as an ONNX model with one float input and one output. */
  encode(name: string, input: GraphValue, output: GraphValue, metadata: Record<string, string>, doc = ''): Uint8Array {
    const value = (v: GraphValue): onnxProto.onnx.IValueInfoProto => ({
      name: v.name,
      type: {
        tensorType: { elemType: FLOAT, shape: { dim: [{ dimParam: 'N' }, ...v.dims.map((d) => ({ dimValue: d }))] } },
      },
    });
    const model: onnxProto.onnx.IModelProto = {
      irVersion: IR_VERSION,
      opsetImport: [{ domain: '', version: OPSET }],
      producerName: 'ticketlab',
      producerVersion: version,
      docString: doc,
      graph: { name, node: this.nodes, initializer: this.initializers, input: [value(input)], output: [value(output)] },
      metadataProps: Object.entries(metadata).map(([key, v]) => ({ key, value: v })),
    };
    return onnx.ModelProto.encode(onnx.ModelProto.create(model)).finish();
  }
}
