// One seed of the ownership study, every stage stored under the run root and reused on a rerun:
//   the IMP run (replicate = seed) of `levels` levels;
//   at the signing level: branch `signed` (V2), `signed_triggers` (V2 + V3), and every attack on `signed`
//   (`prune_<a>`, `random_prune_<a>`, `add_<a>`, `finetune`, `finetune_dense`, `forge`);
//   at the lock level: `locked_<score>` and `unlocked_<score>` for every path score.
// What it measures is read back from the stored tickets, so a rerun that trains nothing gives the same line.
import { lotteryDefaults } from '../../hparams/defaults.js';
import { loadTicket } from '../../export/ticket.js';
import { runLottery } from '../../lottery/runner.js';
import type { LotteryExperiment } from '../../lottery/experiment.js';
import { attackTicket } from '../../ownership/attack-ticket.js';
import type { AttackKind } from '../../ownership/attacks.js';
import { claimMessage } from '../../ownership/claim.js';
import { lockTicket, unlockTicket } from '../../ownership/lock-ticket.js';
import { signTicket, type BranchRef } from '../../ownership/sign-ticket.js';
import { loadTriggers, TRIGGER_FILE, triggerAccuracy } from '../../ownership/triggers.js';
import { verifyMasks } from '../../ownership/verify.js';
import path from 'node:path';
import type { Ticket } from '../../export/ticket.js';
import type { Masks } from '../../pruning/masks.js';
import { connectivityMap, requireGeometry } from '../../ownership/connectivity.js';
import type { Window } from '../../ownership/layers.js';
import { QR_SIZE } from '../../ownership/qr.js';
import { validateOwnershipStudy, type OwnershipStudySettings } from './settings.js';
import type { AttackResult, OwnershipSeedLine, TicketCheck } from './study-data.js';

export interface OwnershipRunOptions {
  settings: OwnershipStudySettings;
  root: string;
  /** Dataset directory (CIFAR-10; MNIST is bundled). */
  dataDir?: string;
  signal?: AbortSignal;
  onProgress?: (what: string, done: number, total: number) => void;
}

const amountTag = (a: number) => String(Math.round(a * 1000)).padStart(3, '0');

export async function runOwnershipSeed(o: OwnershipRunOptions): Promise<OwnershipSeedLine> {
  const s = o.settings;
  validateOwnershipStudy(s);
  const hp = lotteryDefaults(s.model);
  hp.training.steps = s.steps;
  const levels = await runLottery({
    hparams: hp,
    levels: s.levels,
    replicate: s.seed,
    seed: s.seed,
    root: o.root,
    branches: [],
    dataDir: o.dataDir,
    checkpointEvery: 1000,
    signal: o.signal,
    onStep: (done, total) => o.onProgress?.('lottery', done, total),
  });
  const run = levels[0]!.experiment;
  const ref = (level: number, from: string, name: string, what = name): BranchRef => ({
    run,
    root: o.root,
    replicate: s.seed,
    level,
    from,
    name,
    dataDir: o.dataDir,
    signal: o.signal,
    onStep: (done, total) => o.onProgress?.(what, done, total),
  });
  const ticketAt = (level: number, branch: string) =>
    loadTicket(run, { level, branch, replicate: s.seed, root: o.root });
  const accuracyOf = (exp: LotteryExperiment, level: number, branch: string) =>
    exp.record(s.seed, level, branch)!.test_accuracy;
  const check = (branch: string, everywhere = false): TicketCheck => {
    const t = ticketAt(s.signLevel, branch);
    const shapes = new Map(t.model.namedParameters().map(([n, p]) => [n, p.shape]));
    const layer = everywhere ? undefined : s.layer;
    const v = verifyMasks(t.masks, { shapes, layer, all: everywhere });
    // The claim is the owner's: they know which layer they signed, so it is checked there.
    const c = claimMessage(t.masks, { shapes, message: s.message, layer: s.layer });
    return {
      decoded: v.signatures.map((x) => x.message),
      owner_decoded: v.signatures.some((x) => x.message === s.message),
      claim_mismatch_rate: c.mismatch_rate,
      claim_log10_p: c.log10_p_value,
      density: t.density,
    };
  };

  const signed = await signTicket({ ...ref(s.signLevel, 'main', 'signed'), message: s.message, layer: s.layer });
  const exp = signed.experiment;
  const attacks: AttackResult[] = [];
  const attack = async (kind: AttackKind, amount: number, name: string) => {
    const message = kind === 'forge' ? s.forgeMessage : undefined;
    const r = await attackTicket({ ...ref(s.signLevel, 'signed', name), kind, amount, message });
    attacks.push({ kind, amount, test_accuracy: r.record.test_accuracy, ...check(name, kind === 'forge') });
  };
  for (const a of s.amounts) {
    await attack('prune', a, `prune_${amountTag(a)}`);
    await attack('random-prune', a, `random_prune_${amountTag(a)}`);
    await attack('add', a, `add_${amountTag(a)}`);
  }
  await attack('finetune', s.finetune, 'finetune');
  await attack('finetune-dense', s.finetuneDense, 'finetune_dense');
  await attack('forge', 0, 'forge');

  const withTriggers = await signTicket({
    ...ref(s.signLevel, 'main', 'signed_triggers'),
    message: s.message,
    layer: s.layer,
    triggers: s.triggers,
    triggersPerBatch: s.triggersPerBatch,
  });
  const triggers = loadTriggers(path.join(withTriggers.dir, TRIGGER_FILE));

  const locks = [];
  for (const score of s.lockScores)
    for (const paths of s.lockPaths) {
      const name = `${score}_${paths}`;
      const locked = await lockTicket({ ...ref(s.lockLevel, 'main', `locked_${name}`), paths, score });
      const unlocked = await unlockTicket(ref(s.lockLevel, `locked_${name}`, `unlocked_${name}`));
      locks.push({
        score,
        paths,
        paths_removed: locked.paths,
        removed: locked.removed,
        locked_density: locked.record.density,
        locked_test_accuracy: locked.record.test_accuracy,
        unlocked_test_accuracy: unlocked.record.test_accuracy,
      });
    }

  const sig = signed.signature;
  const fragile = fragility(
    ticketAt(s.signLevel, 'main').masks,
    ticketAt(s.signLevel, 'signed'),
    sig.layer,
    sig.window,
  );
  return {
    kind: 'seed',
    seed: s.seed,
    experiment: run,
    ticket: {
      level: s.signLevel,
      density: exp.record(s.seed, s.signLevel, 'main')!.density,
      test_accuracy: accuracyOf(exp, s.signLevel, 'main'),
      layer_density: exp.record(s.seed, s.signLevel, 'main')!.layer_density[s.layer] ?? null,
    },
    unsigned: check('main', true),
    signed: {
      layer: sig.layer,
      window: sig.window,
      changed: sig.changed,
      flips_on: sig.flipsOn,
      flips_off: sig.flipsOff,
      compensated: sig.compensated,
      test_accuracy: signed.record.test_accuracy,
      seconds: signed.record.seconds,
      ...fragile,
      ...check('signed'),
    },
    attacks,
    triggers: {
      count: s.triggers,
      test_accuracy: withTriggers.record.test_accuracy,
      trigger_accuracy: triggerAccuracy(ticketAt(s.signLevel, 'signed_triggers').model, triggers),
      unsigned_trigger_accuracy: triggerAccuracy(ticketAt(s.signLevel, 'main').model, triggers),
      signed_trigger_accuracy: triggerAccuracy(ticketAt(s.signLevel, 'signed').model, triggers),
      owner_decoded: check('signed_triggers').owner_decoded,
    },
    lock: {
      level: s.lockLevel,
      density: exp.record(s.seed, s.lockLevel, 'main')!.density,
      ticket_test_accuracy: accuracyOf(exp, s.lockLevel, 'main'),
      results: locks,
    },
  };
}

/**
 * Why magnitude pruning reads the code badly on a linear layer: of the window's cells on in the signed ticket, the
 * share among the layer's weakest 20% of kept cells (by trained |θ|), for the cells the signer switched on and for
 * those the ticket already kept. Pruning 20% of the layer's weights takes exactly that weakest 20%.
 */
function fragility(
  original: Masks,
  signed: Ticket,
  layer: string,
  window: Window,
): { switched_on_weak: number; kept_weak: number } {
  const param = signed.model.prunableParameters().find(([n]) => n === layer)![1];
  const geo = requireGeometry(layer, param.shape);
  const before = connectivityMap(original.get(layer)!, geo);
  const mask = signed.masks.get(layer)!;
  const strength = new Float32Array(geo.rows * geo.cols);
  for (let cell = 0; cell < strength.length; cell++)
    for (let j = cell * geo.kernel; j < (cell + 1) * geo.kernel; j++)
      if (mask[j] !== 0) strength[cell] = Math.max(strength[cell]!, Math.abs(param.data[j]!));
  const on = [...strength].filter((v) => v > 0).sort((a, b) => a - b);
  const weak = on[Math.floor(0.2 * on.length)] ?? 0;
  const share = { switched: [0, 0], kept: [0, 0] };
  for (let r = window.row; r < window.row + QR_SIZE; r++)
    for (let c = window.col; c < window.col + QR_SIZE; c++) {
      const cell = r * geo.cols + c;
      if (strength[cell] === 0) continue;
      const bucket = before[cell] ? share.kept : share.switched;
      bucket[1]++;
      if (strength[cell]! < weak) bucket[0]++;
    }
  const ratio = ([a, b]: number[]) => (b! > 0 ? a! / b! : 0);
  return { switched_on_weak: ratio(share.switched), kept_weak: ratio(share.kept) };
}
