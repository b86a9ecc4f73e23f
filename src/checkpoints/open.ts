// Opening a checkpoint: a directory (holding model.safetensors or the shard index), an index file, or one
// .safetensors file. Only headers are read; a sharded checkpoint's index and shards must agree exactly.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DataError } from '../util/errors.js';
import { quote } from '../store/message-text.js';
import { readSafetensorsHeader, type SafetensorsHeader, type TensorEntry } from './header.js';
import { readTensor, type TensorValues } from './read-tensor.js';
import { INDEX_FILE, readShardIndex } from './shard-index.js';

export const SINGLE_FILE = 'model.safetensors';

export interface Checkpoint {
  /** The safetensors file, or the index of a sharded checkpoint. */
  source: string;
  sharded: boolean;
  /** The safetensors files, in the order the index first names them (one for a single file). */
  files: string[];
  /** A single file's __metadata__, or the index's metadata. */
  metadata: Record<string, string>;
  /** Every tensor by name, shard by shard in file order. */
  tensors: Map<string, TensorEntry>;
}

/** Opens the checkpoint at `location`, reading headers only; any inconsistency is a DataError naming the file. */
export function openCheckpoint(location: string): Checkpoint {
  const source = checkpointSource(location);
  if (!source.endsWith('.json')) {
    const header = readSafetensorsHeader(source);
    return { source, sharded: false, files: [source], metadata: header.metadata, tensors: byName([header]) };
  }
  const index = readShardIndex(source);
  const headers = index.shards.map((shard) => {
    if (!fs.existsSync(shard)) throw new DataError(`shard index ${source} names shard ${shard}, which does not exist`);
    return readSafetensorsHeader(shard);
  });
  const tensors = byName(headers);
  for (const [name, shard] of index.weightMap) {
    const holder = tensors.get(name)?.file;
    if (holder === undefined)
      throw new DataError(`shard index ${source} maps tensor ${quote(name)} to ${shard}, which does not hold it`);
    if (holder !== shard)
      throw new DataError(`shard index ${source} maps tensor ${quote(name)} to ${shard}, but ${holder} holds it`);
  }
  for (const [name, entry] of tensors) {
    if (!index.weightMap.has(name))
      throw new DataError(`shard ${entry.file} holds tensor ${quote(name)}, which shard index ${source} does not list`);
  }
  return { source, sharded: true, files: index.shards, metadata: index.metadata, tensors };
}

/** The tensor called `name`; a DataError naming the checkpoint when there is none. */
export function checkpointTensor(checkpoint: Checkpoint, name: string): TensorEntry {
  const entry = checkpoint.tensors.get(name);
  if (!entry) throw new DataError(`checkpoint ${checkpoint.source} has no tensor ${quote(name)}`);
  return entry;
}

/** Reads one tensor of the checkpoint (only its bytes). */
export function readCheckpointTensor(checkpoint: Checkpoint, name: string): TensorValues {
  return readTensor(checkpointTensor(checkpoint, name));
}

/** Every tensor by name; the same name in two shards is a DataError naming both. */
function byName(headers: SafetensorsHeader[]): Map<string, TensorEntry> {
  const tensors = new Map<string, TensorEntry>();
  for (const header of headers) {
    for (const entry of header.tensors) {
      const other = tensors.get(entry.name);
      if (other)
        throw new DataError(`tensor ${quote(entry.name)} is in both shard ${other.file} and shard ${entry.file}`);
      tensors.set(entry.name, entry);
    }
  }
  return tensors;
}

/** The file to read for `location`: a safetensors file or a shard index. */
function checkpointSource(location: string): string {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(location);
  } catch (err) {
    throw new DataError(`cannot open checkpoint ${location}: ${(err as Error).message.split(',')[0]}`);
  }
  if (!stat.isDirectory()) return location;
  // The single file first, as transformers' from_pretrained looks for it first.
  for (const name of [SINGLE_FILE, INDEX_FILE]) {
    const candidate = path.join(location, name);
    if (fs.existsSync(candidate)) return candidate;
  }
  throw new DataError(`checkpoint directory ${location} holds neither ${SINGLE_FILE} nor ${INDEX_FILE}`);
}
