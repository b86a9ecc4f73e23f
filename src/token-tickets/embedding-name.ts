// Which tensor of a checkpoint is the input token embedding, by the names the common model families give it.
import { ConfigError } from '../util/errors.js';
import { quote } from '../store/message-text.js';
import type { Checkpoint } from '../checkpoints/open.js';

/**
 * Name endings of input embeddings: ticketlab's lm models, LLaMA/Mistral/Qwen, GPT-2, BERT/XLM-R (any prefix),
 * Meta's original LLaMA, GPT-NeoX/Pythia, OPT, T5's shared table.
 */
const EMBEDDING_SUFFIXES = [
  'tok_emb.weight',
  'embed_tokens.weight',
  'wte.weight',
  'word_embeddings.weight',
  'tok_embeddings.weight',
  'embed_in.weight',
  'shared.weight',
];

/** The 2-D tensor whose name ends like an input embedding; none or several is a ConfigError asking for --tensor. */
export function findEmbedding(checkpoint: Checkpoint): string {
  const found = [...checkpoint.tensors.values()]
    .filter((t) => t.shape.length === 2 && EMBEDDING_SUFFIXES.some((s) => t.name === s || t.name.endsWith(`.${s}`)))
    .map((t) => t.name);
  if (found.length === 1) return found[0]!;
  if (found.length === 0)
    throw new ConfigError(`checkpoint ${checkpoint.source} has no tensor named like a token embedding: pass --tensor`);
  throw new ConfigError(
    `checkpoint ${checkpoint.source} has several embedding-like tensors (${found.map(quote).join(', ')}): pass --tensor`,
  );
}
