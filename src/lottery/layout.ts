// Where a lottery experiment keeps its files (OpenLTH's layout):
//   <root>/lottery_<hash>/hparams.json                       full and non-default hyperparameters
//   <root>/lottery_<hash>/replicate_<r>/theta0.safetensors     θ0, the initialization
//   <root>/lottery_<hash>/replicate_<r>/rewind.safetensors     θk, when rewinding to k > 0
//   <root>/lottery_<hash>/replicate_<r>/level_<L>/<branch>/    mask, final weights, checkpoint, result.json
import path from 'node:path';

/** The trunk's branch directory: the winning tickets themselves. */
export const TRUNK = 'main';

export function replicateDir(experiment: string, replicate: number): string {
  return path.join(experiment, `replicate_${replicate}`);
}

export function levelDir(replicate: string, level: number, branch = TRUNK): string {
  return path.join(replicate, `level_${level}`, branch);
}

export const FILES = {
  hparams: 'hparams.json',
  theta0: 'theta0.safetensors',
  rewind: 'rewind.safetensors',
  mask: 'mask.safetensors',
  final: 'final.safetensors',
  result: 'result.json',
} as const;

/** Index id of one trained sequence of levels: `lottery_<hash>/replicate_<r>/<branch>`. */
export function runId(hash: string, replicate: number, branch: string): string {
  return `lottery_${hash}/replicate_${replicate}/${branch}`;
}
