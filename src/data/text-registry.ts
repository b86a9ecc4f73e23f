// Text datasets by spec, `<corpus>:<argument>` (e.g. `udhr:eng`, `udhr:eng,fra,deu_1996`): the corpus's documents
// are tokenized one by one with separators (BOS before and EOS after a document, where the vocabulary has them),
// split into train / validation / test, and cut into causal or masked-LM windows.
import type { Tokenizer } from '../text/tokenizer.js';
import { ConfigError } from '../util/errors.js';
import { MlmDataset } from './mlm-dataset.js';
import { TokenDataset } from './token-dataset.js';
import { splitDocuments, type SplitName, type SplitOptions, type TokenizedDocument } from './text-split.js';
import { readUdhr, type TextDocument } from './udhr.js';

const CORPORA: Record<string, { usage: string; read: (arg: string) => TextDocument[] }> = {
  udhr: { usage: 'udhr:<lang>[,<lang>...]', read: (arg) => readUdhr(arg.split(',').filter((l) => l !== '')) },
};

export interface TextDataOptions {
  seqLen: number;
  /** Window stride; defaults to seqLen (windows that do not overlap). */
  stride?: number;
  /** Next-token prediction (default) or BERT-style masked tokens. */
  objective?: 'causal' | 'mlm';
  /** Defaults: by document, 10% validation, 10% test. */
  split?: Partial<SplitOptions>;
  /** Seeds the split and the masks. */
  seed?: number;
}

export type TextDataset = TokenDataset | MlmDataset;

export interface TextData {
  train: TextDataset;
  /** Absent when its fraction is 0. */
  validation?: TextDataset;
  test?: TextDataset;
  /** Tokens in the whole corpus, separators included. */
  tokenCount: number;
  documents: number;
}

export function loadTextDataset(spec: string, tokenizer: Tokenizer, opts: TextDataOptions): TextData {
  const colon = spec.indexOf(':');
  const name = spec.slice(0, colon);
  const corpus = colon > 0 && Object.hasOwn(CORPORA, name) ? CORPORA[name] : undefined;
  if (!corpus) {
    const known = Object.values(CORPORA).map((c) => c.usage);
    throw new ConfigError(`unknown text dataset ${spec}; known: ${known.join(', ')}`);
  }
  const docs = tokenizeDocuments(corpus.read(spec.slice(colon + 1)), tokenizer);
  const seed = opts.seed ?? 0;
  const splits = splitDocuments(docs, { by: 'document', validation: 0.1, test: 0.1, seed, ...opts.split });
  const make = (name: SplitName) => {
    const segments = splits[name];
    if (segments.length === 0) return undefined;
    const label = `${spec}/${name}`;
    const window = { seqLen: opts.seqLen, stride: opts.stride };
    if ((opts.objective ?? 'causal') === 'causal')
      return new TokenDataset(label, segments, tokenizer.vocabSize, window);
    return new MlmDataset(label, segments, tokenizer.vocabSize, { ...window, ...maskIds(tokenizer), seed });
  };
  return {
    train: make('train')!,
    validation: make('validation'),
    test: make('test'),
    tokenCount: docs.reduce((n, d) => n + d.ids.length, 0),
    documents: docs.length,
  };
}

/** Each document's tokens between its separators. GPT-2 marks both ends with one token, so it appears once. */
export function tokenizeDocuments(docs: readonly TextDocument[], tokenizer: Tokenizer): TokenizedDocument[] {
  const { bos, eos } = tokenizer.special;
  const before = bos !== undefined && bos !== eos ? [bos] : [];
  const after = eos !== undefined ? [eos] : [];
  return docs.map((d) => ({
    ids: Int32Array.from([...before, ...tokenizer.encode(d.text), ...after]),
    group: d.group,
  }));
}

function maskIds(tokenizer: Tokenizer): { maskId: number; specialIds: number[] } {
  const { mask, ...others } = tokenizer.special;
  if (mask === undefined)
    throw new ConfigError(
      `tokenizer ${tokenizer.name} has no mask token, which masked-LM data needs; use bytes or a vocabulary with [MASK] or <mask>`,
    );
  return { maskId: mask, specialIds: Object.values(others).filter((id) => id !== undefined) };
}
