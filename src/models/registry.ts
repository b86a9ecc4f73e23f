// Model names → models. Names follow OpenLTH: `<dataset>_<family>_<args>`, e.g. `mnist_lenet_300_100`
// (any widths: `mnist_lenet_500_300_100`), `cifar_resnet_20`. Each family carries its paper's defaults.
import { ConfigError } from '../util/errors.js';
import type { ModelFamily } from './family.js';
import type { Model } from './model.js';
import { lenetFamily } from './lenet.js';
import { convFamily } from './conv.js';
import { vggFamily } from './vgg.js';
import { resnetFamily } from './resnet.js';

const FAMILIES: readonly ModelFamily[] = [lenetFamily, convFamily, vggFamily, resnetFamily];

export function knownModelExamples(): string[] {
  return FAMILIES.map((f) => f.example);
}

/** The family a name belongs to and the arguments after its prefix (e.g. ['300', '100']). */
export function familyOf(name: string): { family: ModelFamily; args: string[] } {
  if (typeof name !== 'string' || name.length === 0)
    throw new ConfigError('model name is required (e.g. mnist_lenet_300_100)');
  for (const family of FAMILIES) {
    if (!family.pattern.test(name)) continue;
    const prefix = family.example.split('_').slice(0, 2).join('_');
    const rest = name.slice(prefix.length);
    return { family, args: rest === '' ? [] : rest.slice(1).split('_') };
  }
  throw new ConfigError(`unknown model '${name}'; known models: ${knownModelExamples().join(', ')}`);
}

export function createModel(name: string): Model {
  const { family, args } = familyOf(name);
  return family.build(name, args);
}
