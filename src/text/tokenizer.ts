// What a language model needs of a tokenizer: text to ids and back, one id shown as text, the vocabulary size and
// the special ids it has. Every tokenizer (built in, from a package or from a file) provides this.
import { DataError } from '../util/errors.js';

/** Special ids a vocabulary may define; a missing one means the vocabulary has no such token. */
export interface SpecialIds {
  /** Start of a sequence (`<s>`, `[CLS]`). */
  bos?: number;
  /** End of a sequence or document (`</s>`, `<|endoftext|>`, `[SEP]`). */
  eos?: number;
  pad?: number;
  /** The masked-LM mask token (`[MASK]`, `<mask>`). */
  mask?: number;
  /** Stands for text the vocabulary cannot spell. */
  unk?: number;
}

export interface Tokenizer {
  /** How it was asked for: `bytes`, `gpt2`, `llama` or a file path. */
  readonly name: string;
  /** Ids run over [0, vocabSize). */
  readonly vocabSize: number;
  readonly special: Readonly<SpecialIds>;
  /**
   * Token ids of `text`; adds no special tokens around it. Special-token names in the text are plain text for the
   * built-in and package vocabularies; a vocabulary file's added tokens are matched, as Hugging Face does.
   */
  encode(text: string): Int32Array;
  /** The text of `ids`; special tokens appear by name. An id outside the vocabulary is a DataError. */
  decode(ids: ArrayLike<number>): string;
  /**
   * One token as text, for showing an id: bytes that are not a whole UTF-8 character appear as `<0xNN>`, special
   * tokens by name.
   */
  tokenString(id: number): string;
}

/** Throws a DataError naming the first id in `ids` that is not a token of `tokenizer`. */
export function checkIds(ids: ArrayLike<number>, vocabSize: number, tokenizer: string): void {
  for (let i = 0; i < ids.length; i++) {
    const id = ids[i]!;
    if (!(Number.isInteger(id) && id >= 0 && id < vocabSize))
      throw new DataError(`token id ${id} (position ${i}) is outside the ${tokenizer} vocabulary [0, ${vocabSize})`);
  }
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/** `bytes` as text, with each byte that is not part of a whole UTF-8 character as `<0xNN>`. */
export function showBytes(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length;) {
    const lead = bytes[i]!;
    const len = lead < 0x80 ? 1 : lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : lead >= 0xc0 ? 2 : 0;
    const char = len > 0 && i + len <= bytes.length ? strictDecode(bytes.subarray(i, i + len)) : undefined;
    if (char !== undefined) {
      out += char;
      i += len;
    } else {
      out += `<0x${lead.toString(16).toUpperCase().padStart(2, '0')}>`;
      i++;
    }
  }
  return out;
}

function strictDecode(bytes: Uint8Array): string | undefined {
  try {
    return strictUtf8.decode(bytes);
  } catch {
    return undefined;
  }
}

/**
 * Decodes `ids` run by run: the ordinary ids between special ones go through `decodeRun`, and each special id
 * appears as its name. Ids are checked first, so no library sees an id it does not know.
 */
export function decodeWithSpecials(
  ids: ArrayLike<number>,
  tokenizer: Pick<Tokenizer, 'name' | 'vocabSize'>,
  specialNames: ReadonlyMap<number, string>,
  decodeRun: (run: number[]) => string,
): string {
  checkIds(ids, tokenizer.vocabSize, tokenizer.name);
  let text = '';
  let run: number[] = [];
  for (let i = 0; i < ids.length; i++) {
    const name = specialNames.get(ids[i]!);
    if (name === undefined) {
      run.push(ids[i]!);
      continue;
    }
    if (run.length > 0) text += decodeRun(run);
    run = [];
    text += name;
  }
  if (run.length > 0) text += decodeRun(run);
  return text;
}
