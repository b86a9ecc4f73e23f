// Hugging Face's shard index, model.safetensors.index.json:
//   {"metadata": {"total_size": <bytes>}, "weight_map": {"<tensor>": "<shard file>", ...}}
// Shard files are resolved against the index's directory and may not leave it: a path is only a name to look up,
// never a way to read some other file (symbolic links inside the directory are followed, as the Hugging Face cache
// links its snapshot files to blobs elsewhere).
import * as path from 'node:path';
import { DataError } from '../util/errors.js';
import { readJsonFile } from '../store/json-file.js';
import { brief, quote } from '../store/message-text.js';

export const INDEX_FILE = 'model.safetensors.index.json';

export interface ShardIndex {
  file: string;
  /** The index's metadata, non-string values as JSON text. */
  metadata: Record<string, string>;
  /** Tensor name -> shard file (the index's directory joined with the name the index gives). */
  weightMap: Map<string, string>;
  /** Shard files in the order the index first names them. */
  shards: string[];
}

interface RawIndex {
  metadata: Record<string, string>;
  weightMap: [string, string][];
}

/** Reads and checks a shard index; problems (not JSON, wrong shape, a shard outside the directory) are DataErrors. */
export function readShardIndex(file: string): ShardIndex {
  const raw = readJsonFile(file, validateIndex);
  const dir = path.dirname(file);
  const resolved = new Map<string, string>();
  const weightMap = new Map<string, string>();
  for (const [tensor, shardName] of raw.weightMap) {
    let shard = resolved.get(shardName);
    if (shard === undefined) {
      shard = shardPath(dir, shardName, file, tensor);
      resolved.set(shardName, shard);
    }
    weightMap.set(tensor, shard);
  }
  return { file, metadata: raw.metadata, weightMap, shards: [...new Set(weightMap.values())] };
}

function shardPath(dir: string, shardName: string, indexFile: string, tensor: string): string {
  const inside = path.relative(dir, path.join(dir, shardName));
  const escapes =
    shardName === '' ||
    shardName.includes('\0') ||
    path.isAbsolute(shardName) ||
    /^[A-Za-z]:|\\/.test(shardName) || // Windows drive or separator: never part of a portable shard name
    inside === '' ||
    inside === '..' ||
    inside.startsWith(`..${path.sep}`);
  if (escapes) {
    throw new DataError(
      `shard index ${indexFile} maps tensor ${quote(tensor)} to ${brief(shardName)}, which is not a file inside ${dir}`,
    );
  }
  return path.join(dir, inside);
}

function validateIndex(value: unknown): RawIndex {
  if (!isObject(value)) throw new DataError('the index is not a JSON object');
  const { metadata = {}, weight_map: weightMap } = value as Record<string, unknown>;
  if (!isObject(metadata)) throw new DataError(`"metadata" is ${brief(metadata)}, not an object`);
  if (!isObject(weightMap)) throw new DataError(`"weight_map" is ${brief(weightMap)}, not an object of tensor: shard`);
  const entries = Object.entries(weightMap as object);
  if (entries.length === 0) throw new DataError('"weight_map" names no tensors');
  for (const [tensor, shard] of entries) {
    if (typeof shard !== 'string')
      throw new DataError(`"weight_map" gives ${brief(shard)} as the shard of ${quote(tensor)}`);
  }
  const meta = Object.entries(metadata as object).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)]);
  return { metadata: Object.fromEntries(meta) as Record<string, string>, weightMap: entries };
}

function isObject(v: unknown): boolean {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
