// What a training run trains on, from the model's family and the dataset hyperparameters: the model itself (a
// language model's vocabulary comes from the tokenizer), its training, validation and test sets, the loss of its
// objective, and a fingerprint of the data so a stored run is never reused on other data.
import { loadDataset } from '../data/registry.js';
import { modularAddition } from '../data/modular.js';
import { loadTextDataset } from '../data/text-registry.js';
import { ImageDataset } from '../data/dataset.js';
import { TensorDataset } from '../data/tensor-dataset.js';
import type { Dataset } from '../data/types.js';
import { crossEntropy as crossEntropyOp } from '../engine/ops/loss.js';
import type { DatasetHparams } from '../hparams/groups.js';
import type { Model, Objective } from '../models/model.js';
import { createModel, familyOf } from '../models/registry.js';
import { loadTokenizer } from '../text/registry.js';
import { dataFingerprint } from '../store/replicate.js';
import { ConfigError } from '../util/errors.js';
import { IGNORE_INDEX } from '../data/token-dataset.js';
import { crossEntropy, type LossFn } from './loss.js';

export interface RunData {
  train: Dataset;
  /** Held-out examples for early stopping, or null (the test set then stands in). */
  validation: Dataset | null;
  test: Dataset;
}

export interface PreparedRun {
  model: Model;
  data: RunData;
  loss: LossFn;
  /** Samples per evaluation batch: logits of a batch stay near 4M values (a language model's are [S, vocabulary]). */
  evalBatchSize: number;
  /** Identifies the data the run trains and is evaluated on. */
  fingerprint: string;
}

/** The modular task's share of pairs that trains (the grokking reference's 0.4). */
const MODULAR_TRAIN_FRACTION = 0.4;

export async function prepareRun(modelName: string, h: DatasetHparams, dataDir?: string): Promise<PreparedRun> {
  const { family } = familyOf(modelName);
  if (family.data !== 'text' && h.name !== '')
    throw new ConfigError(`--dataset applies to language models; ${modelName} trains on ${family.data}`);
  let model: Model;
  let data: RunData;
  let fingerprint = '';
  if (family.data === 'text') {
    if (h.name === '') throw new ConfigError(`${modelName} needs a text corpus: --dataset udhr:eng (for example)`);
    const tokenizer = await loadTokenizer(h.tokenizer);
    model = createModel(modelName, { vocabSize: tokenizer.vocabSize, seqLen: h.seqLen });
    const objective = model.objective === 'masked-token' ? 'mlm' : 'causal';
    const text = loadTextDataset(h.name, tokenizer, { seqLen: h.seqLen, objective, seed: 0 });
    if (!text.test) throw new ConfigError(`${h.name} is too small to hold out a test split`);
    data = { train: text.train, validation: text.validation ?? null, test: text.test };
  } else if (family.data === 'modular') {
    model = createModel(modelName);
    const { train, test } = modularAddition(model.numClasses, MODULAR_TRAIN_FRACTION, 0);
    data = { train, validation: null, test };
  } else {
    model = createModel(modelName);
    const { train, test } = loadDataset(family.data, dataDir);
    const split = h.validation > 0 ? train.split(h.validation, 0) : { train, validation: null };
    data = { train: split.train, validation: split.validation, test };
    // The whole training file, before the validation split (which the hyperparameters fix).
    fingerprint = dataFingerprint([train.images, train.labels, test.images, test.labels]);
  }
  if (h.augment && !(data.train instanceof ImageDataset && model.dataset === 'cifar10'))
    throw new ConfigError('--augment (random crop and flip) applies to CIFAR-10 models only');
  const perSample =
    model.objective === 'next-token' || model.objective === 'masked-token'
      ? h.seqLen * model.numClasses
      : model.numClasses;
  return {
    model,
    data,
    loss: lossFor(model.objective),
    evalBatchSize: Math.max(1, Math.min(1000, Math.floor(4_000_000 / perSample))),
    fingerprint: fingerprint || fingerprintOf(data),
  };
}

export function lossFor(objective: Objective): LossFn {
  switch (objective) {
    case 'classify':
      return crossEntropy;
    case 'classify-f64': // the grokking reference computes its loss on float64 logits
      return (out, y) => crossEntropyOp(out, y as Int32Array, { float64: true });
    case 'next-token':
    case 'masked-token':
      return (out, y) => crossEntropyOp(out, y as Int32Array, { ignoreIndex: IGNORE_INDEX });
  }
}

/** The data's bytes, hashed: tensors, or every sample of a (small) text dataset. */
function fingerprintOf(data: RunData): string {
  const parts: ArrayBufferView[] = [];
  for (const d of [data.train, data.validation, data.test]) {
    if (!d) continue;
    if (d instanceof TensorDataset) parts.push(d.x, d.y);
    else {
      const { x, y } = d.batch(Int32Array.from({ length: d.size }, (_, i) => i));
      parts.push(x, y);
    }
  }
  return dataFingerprint(parts);
}
