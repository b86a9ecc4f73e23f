// The values of docs/results/ownership.md (scripts/templates/ownership.md holds the prose), computed from the committed
// data file alone, and its figure: the owner's claim (mismatch with the message's code) against attack strength.
import path from 'node:path';
import type { TopLevelSpec } from 'vega-lite';
import type { PageValues } from '../../report/page.js';
import { writePlot } from '../../report/render.js';
import { sessionsTable } from '../../report/runtime.js';
import { markdownTable } from '../../report/table.js';
import { summarize } from '../../report/aggregate.js';
import type { AttackKind } from '../../ownership/attacks.js';
import { OWNERSHIP_STUDY_DEFAULTS } from './settings.js';
import type { AttackResult, OwnershipData } from './study-data.js';

export const FIGURE_DIR = 'ownership';
const mean = (xs: number[]) => summarize(xs).mean;
const pct = (x: number, digits = 2) => `${(100 * x).toFixed(digits)}%`;
const pp = (x: number) => `${(100 * x).toFixed(2)} pp`;
const pm = (xs: number[]) =>
  xs.length > 1 ? `${pct(mean(xs))} ± ${(100 * summarize(xs).std).toFixed(2)}` : pct(mean(xs));
const met = (ok: boolean) => (ok ? '**met**' : '**not met**');
const count = (xs: boolean[]) => `${xs.filter(Boolean).length} of ${xs.length}`;
const p10 = (x: number) => (x === 0 ? '1' : `1e${x.toFixed(0)}`);

const LABELS: Record<AttackKind, string> = {
  prune: 'further magnitude pruning',
  'random-prune': 'random pruning',
  add: 'random added connections',
  finetune: 'fine-tuning (masked)',
  'finetune-dense': 'fine-tuning every weight, re-sparsified',
  forge: 'forged second signature',
};

function attacksOf(d: OwnershipData, kind: AttackKind, amount?: number): AttackResult[] {
  return d.seeds.map((s) => s.attacks.find((a) => a.kind === kind && (amount === undefined || a.amount === amount))!);
}

function banner(d: OwnershipData): string {
  const s = d.study.settings;
  const d0 = OWNERSHIP_STUDY_DEFAULTS;
  return s.steps !== d0.steps || s.levels !== d0.levels || d.study.seeds.length < 3
    ? `> **⚠ SMOKE-TEST RUN — NOT THE STUDY.** ${s.steps} per level, ${s.levels} levels, ${d.study.seeds.length} ` +
        'seed(s); do not read findings into these numbers.\n\n'
    : '';
}

function criteria(d: OwnershipData): string {
  const s = d.study.settings;
  const costs = d.seeds.map((x) => x.ticket.test_accuracy - x.signed.test_accuracy);
  const maxAmount = Math.max(...s.amounts);
  const pruned = attacksOf(d, 'prune', maxAmount);
  const tuned = attacksOf(d, 'finetune');
  const unsigned = d.seeds.map((x) => x.unsigned);
  const trig = d.seeds.map((x) => x.triggers);
  const lines = [
    `1. *Signing is cheap* (the paper: 0.1–0.3 pp). The signed ticket's test accuracy is at most 0.3 pp below the ` +
      `unsigned ticket's on average (a negative cost: the signed ticket tested better). Measured: ` +
      `${costs.map(pp).join(', ')} (mean ${pp(mean(costs))}): ${met(mean(costs) <= 0.003)}.`,
    `2. *The signature reads back.* A real QR decoder returns the message from every signed ticket. Measured: ` +
      `${count(d.seeds.map((x) => x.signed.owner_decoded))} seeds: ${met(d.seeds.every((x) => x.signed.owner_decoded))}.`,
    `3. *Fine-tuning does not remove it* (the paper: it cannot change the mask). Decodes after fine-tuning for ` +
      `${pct(s.finetune, 0)} of the training. Measured: ${count(tuned.map((a) => a.owner_decoded))} seeds: ` +
      `${met(tuned.every((a) => a.owner_decoded))}.`,
    `4. *Nor does ${pct(maxAmount, 0)} further magnitude pruning* (the paper, on ResNet-20). Decodes on every seed. ` +
      `Measured: ${count(pruned.map((a) => a.owner_decoded))} seeds: ${met(pruned.every((a) => a.owner_decoded))}.`,
    `5. *No false signatures.* The decoder finds no message anywhere in the unsigned ticket (every window of every ` +
      `layer, both polarities), and the owner's claim on it is not significant (chance of its best match ≥ 1%). ` +
      `Measured: messages found on ${count(unsigned.map((u) => u.decoded.length > 0))} seeds; claim chance ` +
      `${unsigned.map((u) => p10(u.claim_log10_p)).join(', ')}: ` +
      `${met(unsigned.every((u) => u.decoded.length === 0 && u.claim_log10_p >= -2))}.`,
    `6. *The trigger set identifies the model* (the paper: ≈ 90% against ≤ 16%). The V3 ticket labels at least 90% of ` +
      `its triggers as trained, the unsigned ticket at most 16%. Measured: ${trig.map((t) => pct(t.trigger_accuracy, 0)).join(', ')} ` +
      `against ${trig.map((t) => pct(t.unsigned_trigger_accuracy, 0)).join(', ')}: ` +
      `${met(trig.every((t) => t.trigger_accuracy >= 0.9 && t.unsigned_trigger_accuracy <= 0.16))}.`,
  ];
  const most = Math.max(...s.lockPaths);
  for (const score of s.lockScores) {
    const r = d.seeds.map((x) => ({
      t: x.lock.ticket_test_accuracy,
      l: x.lock.results.find((y) => y.score === score && y.paths === most)!,
    }));
    const drop = r.map((x) => x.t - x.l.locked_test_accuracy);
    const back = r.map((x) => x.t - x.l.unlocked_test_accuracy);
    lines.push(
      `${lines.length + 1}. *The ${score} lock holds* (${most} paths). Without the key the ticket retrains at least ` +
        `0.5 pp below the ticket on every seed; with it, within 0.1 pp. Measured: ${drop.map(pp).join(', ')} below ` +
        `without, ${back.map(pp).join(', ')} with: ${met(drop.every((x) => x >= 0.005) && back.every((x) => Math.abs(x) <= 0.001))}.`,
    );
  }
  return lines.join('\n');
}

function signingTable(d: OwnershipData): string {
  return markdownTable(
    ['seed', 'ticket', 'signed', 'cost', 'cells rewritten (on / off)', 'traded', 'window', 'decodes', 'mismatch'],
    d.seeds.map((x) => [
      String(x.seed),
      pct(x.ticket.test_accuracy),
      pct(x.signed.test_accuracy),
      pp(x.ticket.test_accuracy - x.signed.test_accuracy),
      `${x.signed.changed} (${x.signed.flips_on} / ${x.signed.flips_off})`,
      String(x.signed.compensated),
      `${x.signed.layer} (${x.signed.window.row}, ${x.signed.window.col})`,
      x.signed.owner_decoded ? 'yes' : 'no',
      pct(x.signed.claim_mismatch_rate, 1),
    ]),
    ['right', 'right', 'right', 'right', 'right', 'right', 'left', 'left', 'right'],
  );
}

function attackTable(d: OwnershipData): string {
  const s = d.study.settings;
  const rows: string[][] = [];
  const row = (label: string, amount: string, a: AttackResult[]) =>
    rows.push([
      label,
      amount,
      count(a.map((x) => x.owner_decoded)),
      pm(a.map((x) => x.claim_mismatch_rate)),
      p10(Math.max(...a.map((x) => x.claim_log10_p))),
      pm(a.map((x) => x.test_accuracy)),
      pct(mean(a.map((x) => x.density)), 1),
    ]);
  const asAttack = (
    c: OwnershipData['seeds'][number]['signed'] | OwnershipData['seeds'][number]['unsigned'],
    acc: number,
  ) => ({
    ...c,
    kind: 'prune' as const,
    amount: 0,
    test_accuracy: acc,
  });
  row(
    'the unsigned ticket (control)',
    '—',
    d.seeds.map((x) => asAttack(x.unsigned, x.ticket.test_accuracy)),
  );
  row(
    'none (the signed ticket)',
    '—',
    d.seeds.map((x) => asAttack(x.signed, x.signed.test_accuracy)),
  );
  for (const kind of ['prune', 'random-prune', 'add'] as const)
    for (const a of s.amounts) row(LABELS[kind], pct(a, 0), attacksOf(d, kind, a));
  row(LABELS.finetune, `${pct(s.finetune, 0)} of training`, attacksOf(d, 'finetune'));
  row(LABELS['finetune-dense'], `${pct(s.finetuneDense, 0)} of training`, attacksOf(d, 'finetune-dense'));
  return markdownTable(
    ['attack', 'strength', 'decodes', "owner's claim: mismatch", 'chance (weakest seed)', 'test accuracy', 'density'],
    rows,
    ['left', 'right', 'right', 'right', 'right', 'right', 'right'],
  );
}

function forgeText(d: OwnershipData): string {
  const s = d.study.settings;
  const f = attacksOf(d, 'forge');
  const both = f.filter((a) => a.decoded.includes(s.message) && a.decoded.includes(s.forgeMessage)).length;
  const cost = d.seeds.map((x, i) => x.signed.test_accuracy - f[i]!.test_accuracy);
  return (
    `the forger writes ${JSON.stringify(s.forgeMessage)} into the layer other than \`${s.layer}\` that needs the fewest ` +
    `changes, without retraining (the forger has no rewind point). A full scan decodes both messages on ${both} of ` +
    `${f.length} seeds; forging cost ${cost.map(pp).join(', ')} of test accuracy.`
  );
}

function triggerTable(d: OwnershipData): string {
  return markdownTable(
    [
      'seed',
      'V3 ticket: triggers',
      'V3 ticket: test',
      'V2-only signed ticket: triggers',
      'unsigned ticket: triggers',
      'V3 ticket decodes',
    ],
    d.seeds.map((x) => [
      String(x.seed),
      pct(x.triggers.trigger_accuracy, 0),
      pct(x.triggers.test_accuracy),
      pct(x.triggers.signed_trigger_accuracy, 0),
      pct(x.triggers.unsigned_trigger_accuracy, 0),
      x.triggers.owner_decoded ? 'yes' : 'no',
    ]),
    ['right', 'right', 'right', 'right', 'right', 'left'],
  );
}

function lockTable(d: OwnershipData): string {
  const rows: string[][] = [];
  for (const score of d.study.settings.lockScores)
    for (const paths of d.study.settings.lockPaths) {
      const r = d.seeds.map((x) => x.lock.results.find((y) => y.score === score && y.paths === paths)!);
      rows.push([
        score,
        String(Math.round(mean(r.map((x) => x.paths)))),
        String(Math.round(mean(r.map((x) => x.removed)))),
        pm(d.seeds.map((x) => x.lock.ticket_test_accuracy)),
        pm(r.map((x) => x.locked_test_accuracy)),
        pm(r.map((x) => x.unlocked_test_accuracy)),
      ]);
    }
  return markdownTable(
    ['paths drawn by', 'paths', 'weights removed', 'ticket', 'locked (no key)', 'unlocked (key restored)'],
    rows,
    ['left', 'right', 'right', 'right', 'right', 'right'],
  );
}

export function ownershipPageValues(d: OwnershipData): PageValues {
  const s = d.study.settings;
  const first = d.seeds[0]!;
  return {
    banner: banner(d),
    command: d.study.command,
    model: s.model,
    levels: String(s.levels),
    steps: s.steps,
    sign_level: String(s.signLevel),
    sign_density: pct(first.ticket.density, 1),
    layer: s.layer,
    layer_density: first.ticket.layer_density === null ? '—' : pct(first.ticket.layer_density, 1),
    message: JSON.stringify(s.message),
    triggers: String(s.triggers),
    triggers_per_batch: String(s.triggersPerBatch),
    lock_level: String(s.lockLevel),
    lock_density: pct(first.lock.density, 1),
    paths: s.lockPaths.join(' or '),
    seeds: d.study.seeds.join(', '),
    criteria: criteria(d),
    signing_table: signingTable(d),
    attack_table: attackTable(d),
    forge: forgeText(d),
    trigger_table: triggerTable(d),
    lock_table: lockTable(d),
    sign_time: `${mean(d.seeds.map((x) => x.signed.seconds)).toFixed(0)} s`,
    weak_switched: pct(mean(d.seeds.map((x) => x.signed.switched_on_weak)), 0),
    weak_kept: pct(mean(d.seeds.map((x) => x.signed.kept_weak)), 0),
    sessions: sessionsTable(d.sessions),
  };
}

function claimChart(d: OwnershipData): TopLevelSpec {
  const s = d.study.settings;
  const values = (['prune', 'random-prune', 'add'] as const).flatMap((kind) => [
    ...d.seeds.map((x) => ({ attack: LABELS[kind], amount: 0, mismatch: x.signed.claim_mismatch_rate })),
    ...s.amounts.flatMap((a) =>
      attacksOf(d, kind, a).map((x) => ({ attack: LABELS[kind], amount: a, mismatch: x.claim_mismatch_rate })),
    ),
  ]);
  const unsigned = mean(d.seeds.map((x) => x.unsigned.claim_mismatch_rate));
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title: "The owner's claim against attack strength (mean over seeds; dashed: the unsigned ticket)",
    width: 420,
    height: 260,
    layer: [
      {
        data: { values },
        mark: { type: 'line', point: true },
        encoding: {
          x: {
            field: 'amount',
            type: 'quantitative',
            title: 'fraction of kept weights attacked',
            axis: { format: '%' },
          },
          y: {
            aggregate: 'mean',
            field: 'mismatch',
            type: 'quantitative',
            title: 'data cells differing from the code',
            axis: { format: '%' },
          },
          color: { field: 'attack', type: 'nominal', title: null, legend: { labelLimit: 400 } },
        },
      },
      {
        data: { values: [{ y: unsigned }] },
        mark: { type: 'rule', strokeDash: [4, 4], color: 'gray' },
        encoding: { y: { field: 'y', type: 'quantitative' } },
      },
    ],
  };
}

export async function writeOwnershipFigures(d: OwnershipData, out: string): Promise<string[]> {
  const w = await writePlot(path.join(out, FIGURE_DIR, 'claim'), claimChart(d));
  return [w.svgPath, w.pngPath];
}
