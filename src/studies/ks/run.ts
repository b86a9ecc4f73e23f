// One seed of the KS-Lottery study, stored and resumable stage by stage:
//   <root>/ks_<hash>/seed_<s>/
//     pretrained.safetensors, tuned.safetensors   the model after pretraining; after tuning its whole embedding
//     ticket.json                                 the KS statistic of every row and the selections at level α
//     scores/<name>.json                          the target-language scores of one model: base (untuned), full,
//                                                 <method>_k<k> (partial tuning), transfer_<method>_k<k>
// Each stage is skipped when its file exists, so a rerun resumes after the last finished stage.
import fs from 'node:fs';
import path from 'node:path';
import { createModel } from '../../models/registry.js';
import type { Model } from '../../models/model.js';
import { initializeModel } from '../../nn/reset.js';
import { openCheckpoint } from '../../checkpoints/open.js';
import { createExperimentDir } from '../../store/experiment-dir.js';
import { acquireLock } from '../../store/lock.js';
import { removeStaleTempFiles } from '../../store/stale-temp.js';
import { loadTensors, saveTensors, type Weights } from '../../store/weights.js';
import { writeFileAtomic } from '../../store/atomic.js';
import { nonDefaults } from '../../hparams/diff.js';
import { Rng } from '../../engine/rng.js';
import { ksRowStatistics } from '../../token-tickets/row-statistics.js';
import { selectRows, topRows } from '../../token-tickets/select.js';
import { languageData, tokenizer, type LanguageData } from './data.js';
import { score, type Scores } from './score.js';
import { certifyStage, type CertificateRecord } from './certificate.js';
import { EMBEDDING, pretrain, tuneEmbedding } from './train.js';
import { KS_STUDY_DEFAULTS, ROW_METHODS, validateKsStudy, type KsStudySettings, type RowMethod } from './settings.js';

export interface ScoredModel extends Scores {
  name: string;
  method: RowMethod | 'base' | 'full';
  /** Partial tuning, or partial transfer of tuned rows without training. */
  how: 'tune' | 'transfer' | 'none';
  rows: number;
  seconds: number;
}

export interface TicketRecord {
  dim: number;
  critical_value: number;
  critical_value_approx: number;
  counts: { none: number; holm: number; bh: number };
  /** Every row's statistic (count gap / dim), by row id. */
  statistics: number[];
  /** Rows selected at level α by the per-row test, largest statistic first, with their tokens. */
  selected: { row: number; token: string; statistic: number; p_value: number }[];
}

export interface KsSeedResult {
  seed: number;
  ticket: TicketRecord;
  scores: ScoredModel[];
  certificate: CertificateRecord[];
  pretrainSeconds: number;
}

export interface KsRunOptions {
  settings: KsStudySettings;
  root: string;
  signal?: AbortSignal;
  onProgress?: (what: string, step: number, total: number) => void;
}

export function ksIdentity(s: KsStudySettings): Record<string, unknown> {
  const { seed: _seed, ...rest } = s;
  const { seed: _d, ...defaults } = KS_STUDY_DEFAULTS;
  return nonDefaults(rest, defaults);
}

export async function runKsSeed(o: KsRunOptions): Promise<KsSeedResult> {
  const s = o.settings;
  validateKsStudy(s);
  // The languages first: a bad one stores nothing.
  const source = languageData(s.source, s.seqLen, s.seed);
  const target = languageData(s.target, s.seqLen, s.seed);
  const exp = createExperimentDir(o.root, 'ks', ksIdentity(s), { settings: { ...s, seed: undefined } });
  const dir = path.join(exp.dir, `seed_${s.seed}`);
  fs.mkdirSync(path.join(dir, 'scores'), { recursive: true });
  const lock = await acquireLock(dir);
  try {
    removeStaleTempFiles(dir);
    return await stages(o, dir, source, target);
  } finally {
    await lock.release();
  }
}

async function stages(o: KsRunOptions, dir: string, source: LanguageData, target: LanguageData): Promise<KsSeedResult> {
  const s = o.settings;
  const model = createModel(s.model, { vocabSize: tokenizer.vocabSize, seqLen: s.seqLen });
  const train = (what: string) => ({
    batchSize: s.batchSize,
    seed: s.seed,
    signal: o.signal,
    onStep: (step: number, total: number) => o.onProgress?.(what, step, total),
  });
  const pretrainedFile = path.join(dir, 'pretrained.safetensors');
  let pretrainSeconds = 0;
  if (!fs.existsSync(pretrainedFile)) {
    initializeModel(model, s.seed, model.defaultInit);
    pretrainSeconds = await pretrain(model, source.train, {
      ...train('pretrain'),
      steps: s.pretrainSteps,
      lr: s.pretrainLr,
    });
    saveTensors(pretrainedFile, model, model.stateDict(), {
      kind: 'pretrained',
      seed: s.seed,
      seconds: pretrainSeconds,
    });
  }
  const pretrained = loadTensors(pretrainedFile);
  pretrainSeconds = Number(pretrained.metadata.seconds ?? pretrainSeconds);
  const tunedFile = path.join(dir, 'tuned.safetensors');
  const scored: ScoredModel[] = [];
  const scoreOnce = async (
    entry: Omit<ScoredModel, keyof Scores | 'seconds'>,
    prepare: () => Promise<number>,
  ): Promise<void> => {
    const file = path.join(dir, 'scores', `${entry.name}.json`);
    if (fs.existsSync(file)) {
      scored.push(JSON.parse(fs.readFileSync(file, 'utf8')) as ScoredModel);
      return;
    }
    model.loadStateDict(pretrained.values);
    const seconds = await prepare();
    const result: ScoredModel = { ...entry, ...score(model, target), seconds };
    writeFileAtomic(file, JSON.stringify(result) + '\n');
    scored.push(result);
  };
  const tuneRows = (rows: number[] | null, what: string) => () =>
    tuneEmbedding(model, target.train, rows, { ...train(what), steps: s.tuneSteps, lr: s.tuneLr });
  await scoreOnce({ name: 'base', method: 'base', how: 'none', rows: 0 }, async () => 0);
  await scoreOnce({ name: 'full', method: 'full', how: 'tune', rows: tokenizer.vocabSize }, async () => {
    const seconds = await tuneRows(null, 'full embedding')();
    saveTensors(tunedFile, model, model.stateDict(), { kind: 'tuned', seed: s.seed });
    return seconds;
  });
  const ticket = ticketOf(dir, pretrainedFile, tunedFile, s.alpha);
  const tuned = loadTensors(tunedFile).values;
  // The ticket at its own size (the rows significant at level α), then every method at every budget.
  const ticketRows = ticket.selected.map((t) => t.row);
  const choices: [RowMethod, string, number[]][] = [['ks', 'ticket', ticketRows]];
  for (const k of s.budgets)
    for (const method of ROW_METHODS)
      choices.push([method, `${method}_k${k}`, chooseRows(method, k, ticket, target, s.seed)]);
  for (const [method, name, rows] of choices) {
    await scoreOnce({ name, method, how: 'tune', rows: rows.length }, tuneRows(rows, name));
    await scoreOnce({ name: `transfer_${name}`, method, how: 'transfer', rows: rows.length }, async () => {
      transferInto(model, pretrained.values, tuned, rows);
      return 0;
    });
  }
  const certFile = path.join(dir, 'certificate.json');
  if (!fs.existsSync(certFile)) {
    const records = certifyStage(model, pretrained.values, tuned, ticketRows, target, s.seed);
    writeFileAtomic(certFile, JSON.stringify(records) + '\n');
  }
  const certificate = JSON.parse(fs.readFileSync(certFile, 'utf8')) as CertificateRecord[];
  return { seed: s.seed, ticket, scores: scored, certificate, pretrainSeconds };
}

/** The KS ticket between the stored pretrained and tuned checkpoints, computed once. */
function ticketOf(dir: string, before: string, after: string, alpha: number): TicketRecord {
  const file = path.join(dir, 'ticket.json');
  if (fs.existsSync(file)) return JSON.parse(fs.readFileSync(file, 'utf8')) as TicketRecord;
  const stats = ksRowStatistics(openCheckpoint(before), openCheckpoint(after), EMBEDDING);
  const sel = selectRows(stats, alpha, 'none');
  const record: TicketRecord = {
    dim: stats.dim,
    critical_value: sel.criticalValue,
    critical_value_approx: sel.criticalValueApprox,
    counts: sel.counts,
    statistics: Array.from(stats.counts, (c) => c / stats.dim),
    selected: sel.selected.map((t) => ({
      row: t.row,
      token: tokenizer.tokenString(t.row),
      statistic: t.statistic,
      p_value: t.pValue,
    })),
  };
  writeFileAtomic(file, JSON.stringify(record) + '\n');
  return record;
}

function chooseRows(method: RowMethod, k: number, ticket: TicketRecord, target: LanguageData, seed: number): number[] {
  if (method === 'ks') {
    const counts = Int32Array.from(ticket.statistics, (d) => Math.round(d * ticket.dim));
    return topRows({ tensor: EMBEDDING, rows: counts.length, dim: ticket.dim, dtype: 'F32', counts }, k);
  }
  const used = Array.from(target.trainCounts.keys()).filter((t) => target.trainCounts[t]! > 0);
  if (method === 'frequent')
    return used.sort((a, b) => target.trainCounts[b]! - target.trainCounts[a]! || a - b).slice(0, k);
  // A seeded shuffle of the used tokens (Fisher-Yates), so each budget's draw is its own.
  const rng = new Rng(seed, `ks-random-${k}`);
  for (let i = used.length - 1; i > 0; i--) {
    const j = Math.floor(rng.uniform() * (i + 1));
    [used[i], used[j]] = [used[j]!, used[i]!];
  }
  return used.slice(0, k);
}

/** Partial transfer in memory: the pretrained weights with the chosen embedding rows of the tuned model. */
function transferInto(model: Model, pretrained: Weights, tuned: Weights, rows: readonly number[]): void {
  const emb = Float32Array.from(pretrained.get(EMBEDDING)!);
  const from = tuned.get(EMBEDDING)!;
  const d = emb.length / tokenizer.vocabSize;
  for (const r of rows) emb.set(from.subarray(r * d, (r + 1) * d), r * d);
  model.loadStateDict(new Map([...pretrained, [EMBEDDING, emb]]));
}
