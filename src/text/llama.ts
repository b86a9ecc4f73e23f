// LLaMA's SentencePiece BPE vocabulary (32,000 ids, as in LLaMA 1 and 2) from the llama-tokenizer-js package.
// As in SentencePiece, encoding puts a space before the text and decoding takes it off again.
import llama from 'llama-tokenizer-js';
import { checkIds, decodeWithSpecials, showBytes, type SpecialIds, type Tokenizer } from './tokenizer.js';

const SPECIAL = { unk: 0, bos: 1, eos: 2 } as const;
const NAMES = new Map<number, string>([
  [SPECIAL.unk, '<unk>'],
  [SPECIAL.bos, '<s>'],
  [SPECIAL.eos, '</s>'],
]);
// Byte-fallback pieces spell one byte each, e.g. <0x0A> for a newline.
const BYTE_PIECE = /^<0x([0-9A-F]{2})>$/;

export class LlamaTokenizer implements Tokenizer {
  readonly name = 'llama';
  readonly vocabSize = llama.vocabById.length;
  readonly special: Readonly<SpecialIds> = SPECIAL;

  encode(text: string): Int32Array {
    return Int32Array.from(llama.encode(text, false, true));
  }

  decode(ids: ArrayLike<number>): string {
    return decodeWithSpecials(ids, this, NAMES, (run) => llama.decode(run, false, true));
  }

  tokenString(id: number): string {
    checkIds([id], this.vocabSize, this.name);
    const name = NAMES.get(id);
    if (name !== undefined) return name;
    const piece = llama.vocabById[id]!;
    const byte = BYTE_PIECE.exec(piece);
    return byte ? showBytes(Uint8Array.of(parseInt(byte[1]!, 16))) : piece.replaceAll('\u2581', ' ');
  }
}
