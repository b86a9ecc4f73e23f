// Writing a checkpoint as Hugging Face lays it out: one model.safetensors, or model-0000k-of-0000n.safetensors
// shards plus model.safetensors.index.json. Tensors are converted and written one at a time, so memory holds one
// tensor, not the model. Shards go to temporary names and are renamed only when all are complete, and the index
// comes last: a failure leaves none of the new files behind, and a reader never finds an index without its shards.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { asUserError, fsyncDir, tempPathFor, writeFileAtomic } from '../store/atomic.js';
import { compareUtf8 } from '../store/safetensors-format.js';
import { floatToBfloat16, floatToHalf } from '../store/half-float.js';
import { quote } from '../store/message-text.js';
import { ConfigError, UserError } from '../util/errors.js';
import { SINGLE_FILE } from './open.js';
import { INDEX_FILE } from './shard-index.js';
import {
  parseByteSize,
  planShards,
  shardFileName,
  type PlannedShard,
  type PlannedTensor,
  type SaveDtype,
  type TensorSource,
} from './shard-plan.js';

export interface SaveOptions {
  /** Dtype of every tensor in the files (default F32); narrowing rounds to nearest even. */
  dtype?: SaveDtype;
  /** Largest shard's data, in bytes or as "5GB" / "500MiB"; default: everything in one file. */
  maxShardSize?: number | string;
  /** Added to each file's __metadata__, beside format "pt" (which transformers requires). */
  metadata?: Record<string, string>;
}

export interface SavedCheckpoint {
  /** What openCheckpoint should be given: the single file, or the index. */
  source: string;
  files: string[];
  /** Tensor data bytes, all files together (the index's total_size). */
  totalBytes: number;
}

/** Elements narrowed per write: 8 MiB of 16-bit floats at a time. */
const NARROW_CHUNK = 4 << 20;

/**
 * Saves `tensors` to `dest`: a directory (created if needed, refused if it already holds a checkpoint), or a
 * `.safetensors` file when the tensors fit one file. OS errors are UserErrors; misuse is TypeError/RangeError.
 */
export function saveCheckpoint(
  dest: string,
  tensors: readonly TensorSource[],
  opts: SaveOptions = {},
): SavedCheckpoint {
  const dtype = opts.dtype ?? 'F32';
  if (!['F32', 'F16', 'BF16'].includes(dtype))
    throw new TypeError(`checkpoints are written in F32, F16 or BF16, not ${dtype}`);
  const maxShardBytes = opts.maxShardSize === undefined ? Infinity : parseByteSize(opts.maxShardSize);
  const shards = planShards(tensors, dtype, maxShardBytes, { format: 'pt', ...opts.metadata });
  const totalBytes = shards.reduce((sum, s) => sum + s.dataBytes, 0);
  const toFile = dest.endsWith('.safetensors');
  if (toFile && shards.length > 1) {
    throw new ConfigError(
      `${dest}: ${totalBytes} bytes of tensors make ${shards.length} shards of at most ${maxShardBytes} bytes; give a directory to write a sharded checkpoint`,
    );
  }
  const dir = toFile ? path.dirname(dest) : dest;
  const createdDir = prepareDirectory(dir, !toFile);
  const files = toFile
    ? [dest]
    : shards.length === 1
      ? [path.join(dir, SINGLE_FILE)]
      : shards.map((_, i) => path.join(dir, shardFileName(i, shards.length)));
  const index = shards.length > 1 ? path.join(dir, INDEX_FILE) : null;

  const temps = files.map((f) => tempPathFor(f));
  const renamed: string[] = [];
  try {
    shards.forEach((shard, i) => writeShard(temps[i]!, shard, dtype));
    files.forEach((file, i) => {
      fs.renameSync(temps[i]!, file);
      renamed.push(file);
    });
    if (index) writeFileAtomic(index, indexText(files, shards, totalBytes));
  } catch (err) {
    for (const f of [...temps, ...renamed]) fs.rmSync(f, { force: true });
    if (createdDir) removeEmptyDir(dir);
    throw asUserError(err, `cannot write checkpoint ${dest}`);
  }
  fsyncDir(dir);
  return { source: index ?? files[0]!, files, totalBytes };
}

/** Makes `dir`; true when it did not exist before. A directory that already holds a checkpoint is refused. */
function prepareDirectory(dir: string, checkpointDir: boolean): boolean {
  const existed = fs.existsSync(dir);
  if (checkpointDir && existed) {
    for (const name of [SINGLE_FILE, INDEX_FILE]) {
      if (fs.existsSync(path.join(dir, name)))
        throw new UserError(`${dir} already holds a checkpoint (${name}); save into a new or empty directory`);
    }
  }
  try {
    fs.mkdirSync(dir, { recursive: true });
  } catch (err) {
    throw asUserError(err, `cannot create ${dir}`);
  }
  return !existed;
}

function removeEmptyDir(dir: string): void {
  try {
    fs.rmdirSync(dir);
  } catch {
    // not empty (someone else wrote there meanwhile) or already gone: leave it
  }
}

function writeShard(file: string, shard: PlannedShard, dtype: SaveDtype): void {
  const fd = fs.openSync(file, 'wx', 0o644);
  try {
    writeBytes(fd, shard.header);
    for (const tensor of shard.tensors) writeTensor(fd, tensor, dtype);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

function writeTensor(fd: number, tensor: PlannedTensor, dtype: SaveDtype): void {
  const { name, shape } = tensor.source;
  const values = tensor.source.values();
  if (!(values instanceof Float32Array) || values.length !== tensor.count) {
    const got = values instanceof Float32Array ? `${values.length} values` : 'no Float32Array';
    throw new RangeError(`tensor ${quote(name)}: shape [${shape}] needs ${tensor.count} values, got ${got}`);
  }
  if (dtype === 'F32') return writeBytes(fd, new Uint8Array(values.buffer, values.byteOffset, values.byteLength));
  const narrow = dtype === 'F16' ? floatToHalf : floatToBfloat16;
  const scratch = new Uint16Array(Math.min(values.length, NARROW_CHUNK));
  for (let start = 0; start < values.length; start += scratch.length) {
    const part = scratch.subarray(0, Math.min(scratch.length, values.length - start));
    narrow(values.subarray(start, start + part.length), part);
    writeBytes(fd, new Uint8Array(part.buffer, 0, part.byteLength));
  }
}

function writeBytes(fd: number, bytes: Uint8Array): void {
  for (let done = 0; done < bytes.byteLength;) done += fs.writeSync(fd, bytes, done, bytes.byteLength - done);
}

/** The index as transformers writes it: two-space indent, keys sorted. */
function indexText(files: string[], shards: PlannedShard[], totalBytes: number): string {
  const weightMap: [string, string][] = [];
  shards.forEach((shard, i) => {
    for (const t of shard.tensors) weightMap.push([t.source.name, path.basename(files[i]!)]);
  });
  weightMap.sort((a, b) => compareUtf8(a[0], b[0]));
  const lines = weightMap.map(([name, file]) => `    ${JSON.stringify(name)}: ${JSON.stringify(file)}`);
  return `{\n  "metadata": {\n    "total_size": ${totalBytes}\n  },\n  "weight_map": {\n${lines.join(',\n')}\n  }\n}\n`;
}
