// Model names → models. Names follow OpenLTH: `<dataset>_<family>_<args>`, e.g. `mnist_lenet_300_100`
// (any widths: `mnist_lenet_500_300_100`).
import { ConfigError } from '../util/errors.js';
import { LeNet } from './lenet.js';
import { CIFAR_FAMILIES } from './families.js';
import type { Model } from './model.js';

interface Family {
  pattern: RegExp;
  example: string;
  build(name: string, args: string[]): Model;
}

function positiveInts(name: string, args: string[], what: string): number[] {
  if (args.length === 0) throw new ConfigError(`model '${name}': give at least one ${what}, e.g. mnist_lenet_300_100`);
  return args.map((a) => {
    if (!/^[1-9][0-9]*$/.test(a)) throw new ConfigError(`model '${name}': ${what} '${a}' is not a positive integer`);
    const n = Number(a);
    if (n > 1_000_000) throw new ConfigError(`model '${name}': ${what} ${n} is too large`);
    return n;
  });
}

const families: Family[] = [
  {
    pattern: /^mnist_lenet(_.*)?$/,
    example: 'mnist_lenet_300_100',
    build: (name, args) => new LeNet(name, positiveInts(name, args, 'layer width')),
  },
  ...CIFAR_FAMILIES,
];

/** Registers another model family (used by other modules and tests). */
export function registerModelFamily(f: Family): void {
  families.push(f);
}

export function knownModelExamples(): string[] {
  return families.map((f) => f.example);
}

export function createModel(name: string): Model {
  if (typeof name !== 'string' || name.length === 0) throw new ConfigError('model name is required (e.g. mnist_lenet_300_100)');
  for (const f of families) {
    if (!f.pattern.test(name)) continue;
    const prefix = f.example.split('_').slice(0, 2).join('_');
    const rest = name.slice(prefix.length);
    const args = rest === '' ? [] : rest.slice(1).split('_');
    return f.build(name, args);
  }
  throw new ConfigError(`unknown model '${name}'; known models: ${knownModelExamples().join(', ')}`);
}
