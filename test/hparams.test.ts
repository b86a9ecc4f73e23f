// The hyperparameter schema: fields parse and bound their values, step counts have one spelling, defaults come from
// the model families, and one rule names runs by their non-default fields.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Command } from 'commander';
import { LOTTERY_GROUPS, trainingGroup } from '../src/hparams/groups.js';
import { lotteryDefaults, namingDefaults, trainDefaults } from '../src/hparams/defaults.js';
import { nonDefaults } from '../src/hparams/diff.js';
import { fillAddedFields } from '../src/hparams/stored.js';
import { validateTraining } from '../src/hparams/validate.js';
import { addGroupFlags, readGroupFlags, withFlags } from '../src/cli/hparam-flags.js';
import { ConfigError } from '../src/util/errors.js';

function parse(argv: string[], prefix?: string): Record<string, unknown> {
  const cmd = new Command().exitOverride();
  for (const g of Object.values(LOTTERY_GROUPS)) addGroupFlags(cmd, g);
  if (prefix) addGroupFlags(cmd, trainingGroup, { prefix });
  cmd.parse(argv, { from: 'user' });
  return cmd.opts();
}

test('flags parse into typed values; step counts get one spelling', () => {
  const o = parse([
    '--lr',
    '0.01',
    '--steps',
    '2ep0it',
    '--milestones',
    '100,2ep',
    '--warmup',
    '0',
    '--nesterov',
    '--no-augment',
  ]);
  assert.deepEqual(readGroupFlags(o, trainingGroup), {
    lr: 0.01,
    steps: '2ep',
    milestones: ['100it', '2ep'],
    warmup: '0it',
    nesterov: true,
  });
  assert.equal(o.augment, false);
});

test('bad values are ConfigErrors that name the flag and what it expects', () => {
  const cases: [string[], RegExp][] = [
    [['--lr', '0'], /--lr must be a positive number up to 1000000, got '0'/],
    [['--lr', '1e7'], /--lr must be a positive number/],
    [['--batch-size', '2.5'], /--batch-size must be a positive integer up to 1000000/],
    [['--steps', '1e23'], /--steps must be a step count/],
    [['--steps', '99999999999it'], /--steps must be a step count/],
    [['--momentum', '1'], /--momentum must be a number in \[0, 1\)/],
    [['--optimizer', 'rmsprop'], /--optimizer must be one of sgd, adam, adamw/],
    [['--prune-target-density', '2'], /--prune-target-density must be a density in \(0, 1\]/],
    [['--retrain-lr', '-1'], /--retrain-lr must be a positive number/],
  ];
  for (const [argv, re] of cases)
    assert.throws(
      () => parse(argv, 'retrain'),
      (e: unknown) => e instanceof ConfigError && re.test(e.message),
      argv.join(' '),
    );
});

test('defaults live on the model families (the papers), and flags apply over them', () => {
  const lenet = lotteryDefaults('mnist_lenet_300_100');
  assert.equal(lenet.training.lr, 1.2e-3);
  assert.equal(lenet.training.steps, '50000it');
  assert.equal(lenet.pruning.outputRate, 0.1);
  assert.equal(lenet.dataset.validation, 5000);
  const conv6 = lotteryDefaults('cifar_conv_6');
  assert.deepEqual([conv6.training.lr, conv6.training.steps, conv6.pruning.convRate], [3e-4, '30000it', 0.15]);
  const resnet = trainDefaults('cifar_resnet_20');
  assert.deepEqual(
    [resnet.training.optimizer, resnet.training.milestones, resnet.dataset.augment],
    ['sgd', ['20000it', '25000it'], true], // the LTH paper's ×0.1 at 20K and 25K of 30K
  );
  assert.equal(resnet.model.init, 'kaiming_normal');
  assert.deepEqual(
    [lenet.model.biasInit, lotteryDefaults('cifar_conv_4').model.biasInit, resnet.model.biasInit],
    ['zeros', 'zeros', 'uniform'],
  );
  assert.equal(lotteryDefaults('grok_mlp_67').model.biasInit, 'zeros', 'lecun_normal implies zero biases, as before');
  const h = withFlags(lenet, LOTTERY_GROUPS, parse(['--lr', '0.002', '--prune-rate', '0.5', '--bias-init', 'uniform']));
  assert.deepEqual(nonDefaults(h, lenet), { 'training.lr': 0.002, 'pruning.rate': 0.5, 'model.biasInit': 'uniform' });
  assert.equal(lenet.training.lr, 1.2e-3, 'defaults are not modified');
});

test('a changed default renames no stored run, and a run of the new default never finds one', () => {
  const lenet = lotteryDefaults('mnist_lenet_300_100');
  const named = (h: object) => nonDefaults(h, namingDefaults('mnist_lenet_300_100'));
  // Runs stored before --bias-init had uniform biases and named none: asking for uniform names them again.
  assert.deepEqual(named(lenet), { 'model.biasInit': 'zeros' });
  assert.deepEqual(named({ ...lenet, model: { ...lenet.model, biasInit: 'uniform' } }), {});
  const lecun = { ...lenet, model: { ...lenet.model, init: 'lecun_normal' as const } };
  assert.deepEqual(nonDefaults(lecun, namingDefaults('mnist_lenet_300_100', 'lecun_normal')), {
    'model.init': 'lecun_normal',
  });
  const resnet = trainDefaults('cifar_resnet_20');
  assert.deepEqual(nonDefaults(resnet, namingDefaults('cifar_resnet_20')), {
    'training.milestones': ['20000it', '25000it'],
  });
  const old = { ...resnet, training: { ...resnet.training, milestones: ['15000it', '22500it'] } };
  assert.deepEqual(nonDefaults(old, namingDefaults('cifar_resnet_20')), {});
  // A stored run without the field gets the bias init it trained with.
  const { biasInit: _b, ...stored } = lenet.model;
  const filled = fillAddedFields({ ...lenet, model: stored }, namingDefaults) as typeof lenet;
  assert.equal(filled.model.biasInit, 'uniform');
  const grok = lotteryDefaults('grok_mlp_67');
  const { biasInit: _g, ...grokStored } = grok.model;
  assert.equal(
    (fillAddedFields({ ...grok, model: grokStored }, namingDefaults) as typeof grok).model.biasInit,
    'zeros',
  );
});

test('every stored group is validated: unknown or missing fields and out-of-range values are rejected', () => {
  const h = lotteryDefaults('mnist_lenet_300_100');
  for (const [name, g] of Object.entries(LOTTERY_GROUPS))
    assert.ok(g.schema.safeParse(h[name as keyof typeof h]).success, name);
  assert.equal(trainingGroup.schema.safeParse({ ...h.training, lr: -1 }).success, false);
  assert.equal(trainingGroup.schema.safeParse({ ...h.training, extra: 1 }).success, false);
  const { lr: _lr, ...missing } = h.training;
  assert.equal(trainingGroup.schema.safeParse(missing).success, false);
});

test('rules between fields', () => {
  const t = trainDefaults('mnist_lenet_300_100').training;
  assert.throws(() => validateTraining({ ...t, nesterov: true }), /--nesterov needs --optimizer sgd/);
  assert.throws(() => validateTraining({ ...t, momentum: 0.9 }), /--momentum applies to sgd only/);
  assert.throws(
    () => validateTraining({ ...t, cosine: true, milestones: ['10it'] }, 'retrain-'),
    /choose --retrain-milestones or --retrain-cosine/,
  );
});
