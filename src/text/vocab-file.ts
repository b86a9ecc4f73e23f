// Tokenizers from a vocabulary file, run by Hugging Face's tokenizers.js:
// - `*.json`: a Hugging Face `tokenizer.json` (BPE, WordPiece or Unigram model);
// - anything else: one token per line, the line number being the id (BERT's `vocab.txt`), run as WordPiece with
//   BERT's pre-tokenization; it lowercases when no ordinary token has a capital letter (an uncased vocabulary).
import { Tokenizer as HfTokenizer } from '@huggingface/tokenizers';
import { fileSize, readPrefix } from '../data/read-file.js';
import { DataError } from '../util/errors.js';
import { checkIds, decodeWithSpecials, showBytes, type SpecialIds, type Tokenizer } from './tokenizer.js';

const MAX_VOCAB_FILE_BYTES = 256 * 2 ** 20;
const MODEL_TYPES = ['BPE', 'WordPiece', 'Unigram'];
// Which special-token names play which part; the first present wins.
const ROLE_NAMES: Record<keyof SpecialIds, string[]> = {
  bos: ['<s>', '<|begin_of_text|>', '<bos>', '[CLS]', '<|endoftext|>'],
  eos: ['</s>', '<|end_of_text|>', '<eos>', '[SEP]', '<|endoftext|>'],
  pad: ['<pad>', '[PAD]', '<|padding|>'],
  mask: ['<mask>', '[MASK]'],
  unk: ['<unk>', '[UNK]'],
};
const BERT_SPECIALS = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]'];
const RAW = { skip_special_tokens: false, clean_up_tokenization_spaces: false };
const utf8 = new TextEncoder();

interface AddedTokenJson {
  id: number;
  content: string;
  special?: boolean;
}

/**
 * Loads the vocabulary file at `path`; a file that does not parse is a one-line DataError naming it, and so is a
 * missing one (with the message `missing`).
 */
export function loadVocabFile(path: string, missing = `no vocabulary file ${path}`): Tokenizer {
  const text = readPrefix(path, fileSize(path, MAX_VOCAB_FILE_BYTES, missing)).toString('utf8');
  const json = path.toLowerCase().endsWith('.json') ? tokenizerJson(text, path) : wordPieceJson(text, path);
  let hf: HfTokenizer;
  try {
    hf = new HfTokenizer(json, {});
  } catch (err) {
    throw new DataError(`${path}: not a usable tokenizer (${firstLine(err)})`);
  }
  return new VocabFileTokenizer(path, hf, json.added_tokens as AddedTokenJson[]);
}

class VocabFileTokenizer implements Tokenizer {
  readonly vocabSize: number;
  readonly special: Readonly<SpecialIds>;
  private readonly specialNames: Map<number, string>;

  constructor(
    readonly name: string,
    private readonly hf: HfTokenizer,
    added: AddedTokenJson[],
  ) {
    let largest = -1;
    for (const id of hf.get_vocab(true).values()) largest = Math.max(largest, id);
    if (largest < 0) throw new DataError(`${name}: the vocabulary has no tokens`);
    this.vocabSize = largest + 1;
    this.specialNames = new Map(added.filter((t) => t.special).map((t) => [t.id, t.content]));
    const byName = new Map([...this.specialNames].map(([id, content]) => [content, id]));
    const special: SpecialIds = {};
    for (const [role, names] of Object.entries(ROLE_NAMES) as [keyof SpecialIds, string[]][]) {
      const id = names.map((n) => byName.get(n)).find((i) => i !== undefined);
      if (id !== undefined) special[role] = id;
    }
    this.special = special;
  }

  encode(text: string): Int32Array {
    return Int32Array.from(this.hf.encode(text, { add_special_tokens: false }).ids);
  }

  decode(ids: ArrayLike<number>): string {
    return decodeWithSpecials(ids, this, this.specialNames, (run) => this.hf.decode(run, RAW));
  }

  tokenString(id: number): string {
    checkIds([id], this.vocabSize, this.name);
    const name = this.specialNames.get(id);
    if (name !== undefined) return name;
    const text = this.hf.decode([id], RAW);
    // A piece that is part of a character decodes to U+FFFD; show its own spelling (e.g. a byte-level BPE piece).
    if (!text.includes('\ufffd')) return text;
    const piece = this.hf.id_to_token(id) ?? '';
    return piece.includes('\ufffd') ? showBytes(utf8.encode(piece)) : piece;
  }
}

/** The parsed `tokenizer.json`, checked for what the library needs before it sees it. */
function tokenizerJson(text: string, path: string): Record<string, unknown> {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new DataError(`${path}: not valid JSON (${firstLine(err)})`);
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json))
    throw new DataError(`${path}: not a Hugging Face tokenizer.json (the top level is not an object)`);
  const o = json as Record<string, unknown>;
  const model = o.model as Record<string, unknown> | undefined;
  if (typeof model !== 'object' || model === null || typeof model.vocab !== 'object' || model.vocab === null)
    throw new DataError(`${path}: not a Hugging Face tokenizer.json (no model.vocab)`);
  if (!MODEL_TYPES.includes(String(model.type)))
    throw new DataError(`${path}: model type ${String(model.type)} is not one of ${MODEL_TYPES.join(', ')}`);
  if (o.added_tokens !== undefined && !Array.isArray(o.added_tokens))
    throw new DataError(`${path}: added_tokens is not a list`);
  // Optional parts may be left out of a hand-written file; the library wants them present.
  return { normalizer: null, pre_tokenizer: null, post_processor: null, decoder: null, added_tokens: [], ...o };
}

/** A one-token-per-line vocabulary as the `tokenizer.json` of a BERT WordPiece tokenizer. */
function wordPieceJson(text: string, path: string): Record<string, unknown> {
  const lines = text.split('\n').map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l));
  if (lines.at(-1) === '') lines.pop();
  const vocab: Record<string, number> = {};
  for (const [id, token] of lines.entries()) {
    if (token === '') throw new DataError(`${path}: line ${id + 1} is empty (one token per line expected)`);
    if (Object.hasOwn(vocab, token)) throw new DataError(`${path}: line ${id + 1} repeats the token ${token}`);
    vocab[token] = id;
  }
  if (!Object.hasOwn(vocab, '[UNK]'))
    throw new DataError(`${path}: a one-token-per-line vocabulary needs an [UNK] line (BERT's vocab.txt format)`);
  const lowercase = !lines.some((t) => !BERT_SPECIALS.includes(t) && t !== t.toLowerCase());
  return {
    added_tokens: BERT_SPECIALS.filter((t) => Object.hasOwn(vocab, t)).map((t) => ({
      id: vocab[t],
      content: t,
      special: true,
    })),
    normalizer: { type: 'BertNormalizer', clean_text: true, handle_chinese_chars: true, lowercase },
    pre_tokenizer: { type: 'BertPreTokenizer' },
    post_processor: null,
    decoder: { type: 'WordPiece', prefix: '##', cleanup: false },
    model: { type: 'WordPiece', unk_token: '[UNK]', continuing_subword_prefix: '##', vocab },
  };
}

function firstLine(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).split('\n')[0]!;
}
