// One seed of the LTP study, stored and resumable stage by stage:
//   <root>/ltp_<hash>/seed_<s>/
//     pretrained.safetensors, mlm.safetensors   the encoder after multilingual masked-LM pretraining; after masked-LM
//                                               fine-tuning on the first language
//     ticket.safetensors (+ .json), block_<b>.safetensors   the LTP mask and the same budget inside one block (U8)
//     results/<method>.json                     the classifier's accuracy per language for one method
// Each stage is skipped when its file exists, so a rerun resumes after the last finished stage.
import fs from 'node:fs';
import path from 'node:path';
import { createModel } from '../../models/registry.js';
import type { LanguageModel } from '../../models/lm.js';
import { PromptedClassifier } from '../../models/prompted-encoder.js';
import type { Parameter } from '../../nn/parameter.js';
import { initializeModel } from '../../nn/reset.js';
import { createExperimentDir } from '../../store/experiment-dir.js';
import { acquireLock } from '../../store/lock.js';
import { removeStaleTempFiles } from '../../store/stale-temp.js';
import { loadTensors, saveTensors } from '../../store/weights.js';
import { writeFileAtomic } from '../../store/atomic.js';
import { nonDefaults } from '../../hparams/diff.js';
import { evaluate } from '../../training/evaluate.js';
import { ARTICLES, articleData, mlmData, tokenizer } from './data.js';
import { blockMask, loadTrainable, randomTrainable, ticketMask, type TicketSummary } from './masks.js';
import { trainMlm, trainTask } from './train.js';
import {
  LTP_METHODS,
  LTP_STUDY_DEFAULTS,
  validateLtpStudy,
  type LtpMethod,
  type LtpStudySettings,
} from './settings.js';
import type { MethodResult } from './study-data.js';
import type { StudyTrainOptions } from '../train-steps.js';

export interface LtpSeedResult {
  seed: number;
  pretrainSeconds: number;
  ticket: TicketSummary;
  results: MethodResult[];
}

export interface LtpRunOptions {
  settings: LtpStudySettings;
  root: string;
  signal?: AbortSignal;
  onProgress?: (what: string, step: number, total: number) => void;
}

export function ltpIdentity(s: LtpStudySettings): Record<string, unknown> {
  const { seed: _seed, ...rest } = s;
  const { seed: _d, ...defaults } = LTP_STUDY_DEFAULTS;
  return nonDefaults(rest, defaults);
}

export async function runLtpSeed(o: LtpRunOptions): Promise<LtpSeedResult> {
  const s = o.settings;
  validateLtpStudy(s);
  // The data first: an unknown language stores nothing.
  const tasks = new Map(s.languages.map((l) => [l, articleData(l, s.window)]));
  const exp = createExperimentDir(o.root, 'ltp', ltpIdentity(s), { settings: { ...s, seed: undefined } });
  const dir = path.join(exp.dir, `seed_${s.seed}`);
  fs.mkdirSync(path.join(dir, 'results'), { recursive: true });
  const lock = await acquireLock(dir);
  try {
    removeStaleTempFiles(dir);
    return await stages(o, dir, tasks);
  } finally {
    await lock.release();
  }
}

async function stages(
  o: LtpRunOptions,
  dir: string,
  tasks: Map<string, ReturnType<typeof articleData>>,
): Promise<LtpSeedResult> {
  const s = o.settings;
  const seqLen = s.window + s.promptLength;
  const lm = createModel(s.model, { vocabSize: tokenizer.vocabSize, seqLen }) as LanguageModel;
  const opts = (what: string, steps: number, lr: number): StudyTrainOptions => ({
    steps,
    lr,
    batchSize: s.batchSize,
    seed: s.seed,
    signal: o.signal,
    onStep: (step, total) => o.onProgress?.(what, step, total),
  });
  const file = (name: string) => path.join(dir, name);
  if (!fs.existsSync(file('pretrained.safetensors'))) {
    initializeModel(lm, s.seed, lm.defaultInit);
    const seconds = await trainMlm(lm, mlmData(s.languages, seqLen, s.seed), 0.01, {
      ...opts('pretrain', s.pretrainSteps, s.pretrainLr),
    });
    saveTensors(file('pretrained.safetensors'), lm, lm.stateDict(), { kind: 'pretrained', seed: s.seed, seconds });
  }
  const pretrained = loadTensors(file('pretrained.safetensors'));
  if (!fs.existsSync(file('mlm.safetensors'))) {
    lm.loadStateDict(pretrained.values);
    await trainMlm(lm, mlmData([s.languages[0]!], seqLen, s.seed), 0, opts('mlm fine-tune', s.mlmSteps, s.mlmLr));
    saveTensors(file('mlm.safetensors'), lm, lm.stateDict(), { kind: 'mlm', seed: s.seed });
  }
  const ticket = ticketMask(
    file('pretrained.safetensors'),
    file('mlm.safetensors'),
    s.keep,
    file('ticket.safetensors'),
  );
  const blocks = lm.namedParameters().filter(([n]) => /^blocks\.\d+\.fc1\.weight$/.test(n)).length;
  const third = (m: LtpMethod) => ({ bottom: 0, middle: Math.floor((blocks - 1) / 2), top: blocks - 1 })[m as 'top'];
  const results: MethodResult[] = [];
  for (const method of LTP_METHODS) {
    const out = file(`results/${method}.json`);
    if (!fs.existsSync(out)) {
      lm.loadStateDict(pretrained.values);
      const clf = new PromptedClassifier(lm, {
        promptLength: s.promptLength,
        classes: ARTICLES,
        padId: tokenizer.special.pad,
        seed: s.seed,
      });
      const head: Parameter[] = [clf.promptParameter(), ...clf.headParameters()].filter((p) => p.size > 0);
      let whole = head;
      let masks = new Map<Parameter, Uint8Array>();
      if (method === 'full') whole = clf.parameters();
      else if (method === 'ltp') masks = loadTrainable(clf, file('ticket.safetensors'));
      else if (method === 'random') masks = randomTrainable(clf, ticket, s.seed);
      else if (method !== 'prompt') {
        const b = third(method);
        const f = file(`block_${b}.safetensors`);
        blockMask(file('pretrained.safetensors'), file('mlm.safetensors'), b, ticket.kept, f);
        masks = loadTrainable(clf, f);
      }
      const seconds = await trainTask(
        clf,
        tasks.get(s.languages[0]!)!,
        whole,
        masks,
        opts(method, s.taskSteps, s.taskLr),
      );
      const trainable = whole.reduce((n, p) => n + p.size, 0) + [...masks.values()].reduce((n, m) => n + count(m), 0);
      const accuracy = Object.fromEntries(
        [...tasks].map(([lang, data]) => [lang, evaluate(clf, data, undefined, 256).accuracy ?? 0]),
      );
      writeFileAtomic(out, JSON.stringify({ method, trainable, accuracy, seconds }) + '\n');
    }
    results.push(JSON.parse(fs.readFileSync(out, 'utf8')) as MethodResult);
  }
  const pretrainSeconds = Number(pretrained.metadata.seconds ?? 0);
  return { seed: s.seed, pretrainSeconds, ticket, results };
}

function count(mask: Uint8Array): number {
  let n = 0;
  for (const m of mask) n += m;
  return n;
}
