// Model names → models. Names follow OpenLTH: `<dataset>_<family>_<args>`, e.g. `mnist_lenet_300_100`
// (any widths: `mnist_lenet_500_300_100`), `cifar_resnet_20`. Each family carries its paper's defaults.
import { ConfigError } from '../util/errors.js';
import type { ModelContext, ModelFamily } from './family.js';
import type { Model } from './model.js';
import { lenetFamily } from './lenet.js';
import { convFamily } from './conv.js';
import { vggFamily } from './vgg.js';
import { resnetFamily } from './resnet.js';
import { grokMlpFamily, grokTransformerFamily } from './grok.js';
import { lmDecoderFamily, lmEncoderFamily } from './lm.js';
import { fashionSupernetFamily, mnistSupernetFamily } from './supernet.js';

const FAMILIES: readonly ModelFamily[] = [
  lenetFamily,
  convFamily,
  vggFamily,
  resnetFamily,
  grokMlpFamily,
  grokTransformerFamily,
  lmDecoderFamily,
  lmEncoderFamily,
  mnistSupernetFamily,
  fashionSupernetFamily,
];

export function knownModelExamples(): string[] {
  return FAMILIES.map((f) => f.example);
}

/** The family a name belongs to and the arguments after its prefix (e.g. ['300', '100']). */
export function familyOf(name: string): { family: ModelFamily; args: string[] } {
  if (typeof name !== 'string' || name.length === 0)
    throw new ConfigError('model name is required (e.g. mnist_lenet_300_100)');
  for (const family of FAMILIES) {
    if (!family.pattern.test(name)) continue;
    const prefix = family.prefix ?? family.example.split('_').slice(0, 2).join('_');
    const rest = name.slice(prefix.length);
    return { family, args: rest === '' ? [] : rest.slice(1).split('_') };
  }
  throw new ConfigError(`unknown model '${name}'; known models: ${knownModelExamples().join(', ')}`);
}

/** The model a name describes; a language model also needs its vocabulary and sequence length from the data. */
export function createModel(name: string, ctx: ModelContext = {}): Model {
  const { family, args } = familyOf(name);
  return family.build(name, args, ctx);
}
