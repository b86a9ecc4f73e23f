// The built-in byte-level tokenizer: a token is one UTF-8 byte (id = byte value), so any text round-trips exactly
// and no vocabulary file is needed. Four special ids follow the 256 bytes.
import { checkIds, decodeWithSpecials, showBytes, type SpecialIds, type Tokenizer } from './tokenizer.js';

const SPECIAL = { pad: 256, bos: 257, eos: 258, mask: 259 } as const;
const NAMES = new Map<number, string>([
  [SPECIAL.pad, '<pad>'],
  [SPECIAL.bos, '<bos>'],
  [SPECIAL.eos, '<eos>'],
  [SPECIAL.mask, '<mask>'],
]);

const utf8 = new TextEncoder();
// Not fatal: a window cut inside a character decodes with U+FFFD rather than failing.
const lenientUtf8 = new TextDecoder('utf-8');

export class ByteTokenizer implements Tokenizer {
  readonly name = 'bytes';
  readonly vocabSize = 260;
  readonly special: Readonly<SpecialIds> = SPECIAL;

  encode(text: string): Int32Array {
    return Int32Array.from(utf8.encode(text));
  }

  decode(ids: ArrayLike<number>): string {
    return decodeWithSpecials(ids, this, NAMES, (run) => lenientUtf8.decode(Uint8Array.from(run)));
  }

  tokenString(id: number): string {
    checkIds([id], this.vocabSize, this.name);
    return NAMES.get(id) ?? showBytes(Uint8Array.of(id));
  }
}
