// GPT-2's byte-level BPE vocabulary (50,257 ids, the `r50k_base` encoding) from the gpt-tokenizer package.
// Encoding is the package's; decoding is done here from its rank table, because the package's decode shares one
// streaming UTF-8 decoder between calls: a call ending inside a character drops those bytes and corrupts the next.
import { encode } from 'gpt-tokenizer/encoding/r50k_base';
import ranks from 'gpt-tokenizer/bpeRanks/r50k_base';
import { checkIds, decodeWithSpecials, showBytes, type SpecialIds, type Tokenizer } from './tokenizer.js';

const END_OF_TEXT = 50256;
const NAMES = new Map([[END_OF_TEXT, '<|endoftext|>']]);
// Special-token names in the text are ordinary text, as in GPT-2's own training data.
const NO_SPECIALS = { disallowedSpecial: new Set<string>() };

const utf8 = new TextEncoder();
const lenientUtf8 = new TextDecoder('utf-8');

/** The bytes of ordinary token `id`: the table holds text where the bytes are valid UTF-8, else the bytes. */
function tokenBytes(id: number): Uint8Array {
  const entry = ranks[id]!;
  return typeof entry === 'string' ? utf8.encode(entry) : Uint8Array.from(entry);
}

export class Gpt2Tokenizer implements Tokenizer {
  readonly name = 'gpt2';
  readonly vocabSize = END_OF_TEXT + 1;
  // GPT-2 marks both ends of a document with the same token.
  readonly special: Readonly<SpecialIds> = { bos: END_OF_TEXT, eos: END_OF_TEXT };

  encode(text: string): Int32Array {
    return Int32Array.from(encode(text, NO_SPECIALS));
  }

  decode(ids: ArrayLike<number>): string {
    return decodeWithSpecials(ids, this, NAMES, (run) => {
      const parts = run.map(tokenBytes);
      const bytes = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
      let at = 0;
      for (const p of parts) {
        bytes.set(p, at);
        at += p.length;
      }
      return lenientUtf8.decode(bytes);
    });
  }

  tokenString(id: number): string {
    checkIds([id], this.vocabSize, this.name);
    return NAMES.get(id) ?? showBytes(tokenBytes(id));
  }
}
