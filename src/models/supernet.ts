// The SuperTickets supernet at MNIST size (You et al., ECCV 2022, built on HR-NAS): a stride-2 stem conv, inverted-residual
// blocks whose expansion is split into parallel depthwise branches of kernels 3, 5 and 7, and a 1×1 head. Per
// branch: 1×1 expansion → BN → ReLU → depthwise k×k → BN → ReLU, then the branches' 1×1 projections are summed and
// batch-normalized (the same as projecting their concatenation), plus the identity when the shape allows. Searching
// slims the expansion channels (an L1 penalty on the BN scale after each depthwise conv, channels below a threshold
// cut): a branch whose channels are all cut is gone, so the search picks each block's kernel sizes.
// The architecture is data (`SupernetArch`), so a slimmed net is rebuilt from its widths and stored with its runs.
import type { Tensor } from '../engine/tensor.js';
import { relu } from '../engine/ops/activation.js';
import { add } from '../engine/ops/arith.js';
import { globalAvgPool } from '../engine/ops/pool.js';
import { Module } from '../nn/module.js';
import { Conv2d } from '../nn/layers/conv.js';
import { DepthwiseConv2d } from '../nn/layers/depthwise.js';
import { BatchNorm } from '../nn/layers/batchnorm.js';
import { Linear } from '../nn/layers/linear.js';
import { Sequential } from '../nn/layers/sequential.js';
import { ConfigError } from '../util/errors.js';
import { Model, type ModelData } from './model.js';
import type { ModelFamily } from './family.js';

export const SUPERNET_KERNELS = [3, 5, 7] as const;

export interface BranchArch {
  kernel: number;
  /** Expansion channels of the branch (0: the branch was cut away). */
  hidden: number;
}

export interface BlockArch {
  in: number;
  out: number;
  stride: number;
  branches: BranchArch[];
}

export interface SupernetArch {
  stem: number;
  blocks: BlockArch[];
  head: number;
}

/** The full supernet: every branch at expansion 2 (3 kernels × 2 = MobileNetV2's expansion of 6). */
export function defaultSupernetArch(): SupernetArch {
  const stages = [
    { out: 16, stride: 1, n: 1 },
    { out: 24, stride: 2, n: 2 },
    { out: 32, stride: 2, n: 2 },
  ];
  const blocks: BlockArch[] = [];
  let channels = 16;
  for (const s of stages)
    for (let i = 0; i < s.n; i++) {
      blocks.push({
        in: channels,
        out: s.out,
        stride: i === 0 ? s.stride : 1,
        branches: SUPERNET_KERNELS.map((kernel) => ({ kernel, hidden: 2 * channels })),
      });
      channels = s.out;
    }
  return { stem: 16, blocks, head: 128 };
}

/** One depthwise branch: expand, depthwise, project. `dwBn` is the BN whose scales the search penalizes. */
class Branch extends Module {
  readonly expand: Conv2d;
  readonly expandBn: BatchNorm;
  readonly dw: DepthwiseConv2d;
  readonly dwBn: BatchNorm;
  readonly project: Conv2d;

  constructor(inChannels: number, outChannels: number, stride: number, b: BranchArch) {
    super();
    this.expand = this.addModule('expand', new Conv2d(inChannels, b.hidden, 1, { bias: false }));
    this.expandBn = this.addModule('expand_bn', new BatchNorm(b.hidden));
    this.dw = this.addModule('dw', new DepthwiseConv2d(b.hidden, b.kernel, { stride, bias: false }));
    this.dwBn = this.addModule('dw_bn', new BatchNorm(b.hidden));
    this.project = this.addModule('project', new Conv2d(b.hidden, outChannels, 1, { bias: false }));
  }

  forward(x: Tensor): Tensor {
    const h = relu(this.expandBn.forward(this.expand.forward(x)));
    return this.project.forward(relu(this.dwBn.forward(this.dw.forward(h))));
  }
}

class SuperBlock extends Module {
  readonly branches: [BranchArch, Branch][] = [];
  private readonly bn: BatchNorm;
  private readonly residual: boolean;

  constructor(readonly arch: BlockArch) {
    super();
    for (const b of arch.branches)
      if (b.hidden > 0)
        this.branches.push([b, this.addModule(`k${b.kernel}`, new Branch(arch.in, arch.out, arch.stride, b))]);
    if (this.branches.length === 0) throw new ConfigError('a supernet block needs at least one branch with channels');
    this.bn = this.addModule('bn', new BatchNorm(arch.out));
    this.residual = arch.stride === 1 && arch.in === arch.out;
  }

  forward(x: Tensor): Tensor {
    let sum = this.branches[0]![1].forward(x);
    for (const [, b] of this.branches.slice(1)) sum = add(sum, b.forward(x));
    const y = this.bn.forward(sum);
    return this.residual ? add(y, x) : y;
  }
}

export class Supernet extends Model {
  readonly inputShape = [1, 28, 28] as const;
  readonly numClasses = 10;
  readonly defaultInit = 'kaiming_normal' as const;
  readonly outputWeight = 'fc.weight';
  private readonly stem: Conv2d;
  private readonly stemBn: BatchNorm;
  readonly blocks: Sequential;
  private readonly head: Conv2d;
  private readonly headBn: BatchNorm;
  private readonly fc: Linear;

  constructor(
    readonly name: string,
    readonly dataset: ModelData,
    readonly arch: SupernetArch = defaultSupernetArch(),
  ) {
    super();
    // Stride 2 at the stem: blocks work at 14×14 and below, which keeps a step of batch 128 a fraction of a second.
    this.stem = this.addModule('stem', new Conv2d(1, arch.stem, 3, { stride: 2, padding: 1, bias: false }));
    this.stemBn = this.addModule('stem_bn', new BatchNorm(arch.stem));
    this.blocks = this.addModule('blocks', new Sequential());
    arch.blocks.forEach((b, i) => this.blocks.append(String(i), new SuperBlock(b)));
    const last = arch.blocks[arch.blocks.length - 1]?.out ?? arch.stem;
    this.head = this.addModule('head', new Conv2d(last, arch.head, 1, { bias: false }));
    this.headBn = this.addModule('head_bn', new BatchNorm(arch.head));
    this.fc = this.addModule('fc', new Linear(arch.head, this.numClasses));
  }

  forward(x: Tensor): Tensor {
    const h = this.blocks.forward(relu(this.stemBn.forward(this.stem.forward(x))));
    return this.fc.forward(globalAvgPool(relu(this.headBn.forward(this.head.forward(h)))));
  }
}

function supernetFamily(data: 'mnist' | 'fashion_mnist'): ModelFamily {
  const example = `${data}_supernet`;
  const check = (name: string, args: string[]) => {
    if (args.length > 0) throw new ConfigError(`${name}: the supernet takes no arguments (expected ${example})`);
  };
  return {
    pattern: new RegExp(`^${example}(_.*)?$`),
    example,
    prefix: example,
    data,
    build: (name, args) => {
      check(name, args);
      return new Supernet(name, data);
    },
    defaults(name, args) {
      check(name, args);
      // Our choice at this size (the paper trains ImageNet-size supernets for hundreds of epochs): SGD 0.05 with
      // momentum 0.9, cosine decay, batch 128 and weight decay 4e-5, 5 epochs.
      return {
        init: 'kaiming_normal',
        dataset: { batchSize: 128, validation: 5000 },
        training: { optimizer: 'sgd', lr: 0.05, momentum: 0.9, weightDecay: 4e-5, cosine: true, steps: '5ep' },
        pruning: { strategy: 'global', rate: 0.2 },
      };
    },
  };
}

/** `mnist_supernet` and `fashion_mnist_supernet`. */
export const mnistSupernetFamily = supernetFamily('mnist');
export const fashionSupernetFamily = supernetFamily('fashion_mnist');
