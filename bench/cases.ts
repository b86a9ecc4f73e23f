// Benchmark cases: each builds one training step on fixed random data, mirrored by a case in pytorch_ref.py.
import { Tensor, Rng, backward, ops } from '../src/engine/index.js';
import { Conv2d, Linear, Adam, initializeModel, Module } from '../src/nn/index.js';
import { createModel } from '../src/models/index.js';

export interface BenchCase {
  name: string;
  /** Steps per timed repeat (sized for ~0.2-1 s). */
  steps: number;
  /** The matching case in pytorch_ref.py. */
  pytorchCase: string;
  setup(): () => void;
}

function stepOf(model: Module, lr: number, shape: number[], seed = 0): () => void {
  const rng = new Rng(seed, 'bench');
  const x = new Tensor(rng.fillNormal(new Float32Array(shape.reduce((a, b) => a * b, 1))), shape);
  const y = Int32Array.from({ length: shape[0]! }, () => rng.int(10));
  const opt = new Adam(model.parameters(), { lr });
  return () => {
    opt.zeroGrad();
    const loss = ops.softmaxCrossEntropy(model.forward(x), y);
    backward(loss);
    opt.step();
  };
}

class ConvBlock extends Module {
  conv1 = this.addModule('conv1', new Conv2d(3, 64, 3, { padding: 1 }));
  conv2 = this.addModule('conv2', new Conv2d(64, 64, 3, { padding: 1 }));
  fc = this.addModule('fc', new Linear(64 * 16 * 16, 10));
  forward(x: Tensor): Tensor {
    const h = ops.maxPool2d(ops.relu(this.conv2.forward(ops.relu(this.conv1.forward(x)))), 2);
    return this.fc.forward(ops.flatten(h));
  }
}

export const CASES: BenchCase[] = [
  {
    name: 'lenet_300_100_step',
    steps: 300,
    pytorchCase: 'lenet_300_100_step',
    setup() {
      const m = createModel('mnist_lenet_300_100');
      initializeModel(m, 0, m.defaultInit);
      return stepOf(m, 1.2e-3, [60, 1, 28, 28]);
    },
  },
  {
    name: 'conv2_block_step',
    steps: 5,
    pytorchCase: 'conv2_block_step',
    setup() {
      const m = new ConvBlock();
      initializeModel(m, 0, 'kaiming_normal');
      return stepOf(m, 2e-4, [60, 3, 32, 32]);
    },
  },
];
