// Laying tensors out for writing: which shard each goes to (Hugging Face's rule), and each shard's header.
import { compareUtf8, jsonMembers, METADATA_KEY, numel } from '../store/safetensors-format.js';
import { quote } from '../store/message-text.js';
import { ConfigError } from '../util/errors.js';
import { dtypeInfo } from './dtypes.js';

/** Dtypes checkpoints are written in. */
export type SaveDtype = 'F32' | 'F16' | 'BF16';

export interface TensorSource {
  name: string;
  shape: readonly number[];
  /** The values, asked for once, when the tensor is written: only one tensor need be in memory at a time. */
  values: () => Float32Array;
}

export interface PlannedTensor {
  source: TensorSource;
  count: number;
}

export interface PlannedShard {
  /** Tensors in file order (by name, as the reference writer orders one dtype). */
  tensors: PlannedTensor[];
  header: Uint8Array;
  dataBytes: number;
}

/**
 * Groups tensors into shards of at most `maxShardBytes` of data, in the given order, as Hugging Face does: a tensor
 * that would overflow the current shard starts the next one, and a tensor larger than the limit gets a shard of its
 * own. Names must be unique and shapes valid (misuse throws TypeError/RangeError).
 */
export function planShards(
  sources: readonly TensorSource[],
  dtype: SaveDtype,
  maxShardBytes: number,
  metadata: Record<string, string>,
): PlannedShard[] {
  const itemSize = dtypeInfo(dtype).itemSize;
  const groups: PlannedTensor[][] = [];
  let current: PlannedTensor[] = [];
  let currentBytes = 0;
  const seen = new Set<string>();
  for (const source of sources) {
    const count = checkSource(source, seen);
    const bytes = count * itemSize;
    if (current.length > 0 && currentBytes + bytes > maxShardBytes) {
      groups.push(current);
      current = [];
      currentBytes = 0;
    }
    current.push({ source, count });
    currentBytes += bytes;
  }
  if (current.length > 0 || groups.length === 0) groups.push(current);
  return groups.map((group) => layOut(group, dtype, itemSize, metadata));
}

function checkSource(source: TensorSource, seen: Set<string>): number {
  const { name, shape } = source;
  if (typeof name !== 'string' || name === '' || name === METADATA_KEY)
    throw new TypeError(`${quote(String(name))} cannot name a tensor`);
  if (seen.has(name)) throw new RangeError(`tensor ${quote(name)} is given twice`);
  seen.add(name);
  if (!Array.isArray(shape) || !shape.every((n) => Number.isSafeInteger(n) && n >= 0))
    throw new TypeError(`tensor ${quote(name)}: shape must be an array of non-negative integers`);
  return numel(shape);
}

function layOut(group: PlannedTensor[], dtype: SaveDtype, itemSize: number, metadata: Record<string, string>) {
  const tensors = [...group].sort((a, b) => compareUtf8(a.source.name, b.source.name));
  const members: [string, string][] = [];
  const metaKeys = Object.keys(metadata).sort(compareUtf8);
  if (metaKeys.length > 0)
    members.push([METADATA_KEY, `{${jsonMembers(metaKeys.map((k) => [k, JSON.stringify(metadata[k])]))}}`]);
  let dataBytes = 0;
  for (const t of tensors) {
    const end = dataBytes + t.count * itemSize;
    const entry = { dtype, shape: t.source.shape, data_offsets: [dataBytes, end] };
    members.push([t.source.name, JSON.stringify(entry)]);
    dataBytes = end;
  }
  const json = Buffer.from(`{${jsonMembers(members)}}`, 'utf8');
  const padded = Math.ceil(json.byteLength / 8) * 8; // spaces keep the data 8-byte aligned
  const header = new Uint8Array(8 + padded).fill(0x20);
  new DataView(header.buffer).setBigUint64(0, BigInt(padded), true);
  header.set(json, 8);
  return { tensors, header, dataBytes };
}

/** Hugging Face's shard file names: model-00001-of-00003.safetensors. */
export function shardFileName(index: number, count: number): string {
  const pad = (n: number) => String(n).padStart(5, '0');
  return `model-${pad(index + 1)}-of-${pad(count)}.safetensors`;
}

const SIZE_UNITS: Record<string, number> = {
  B: 1,
  KB: 1e3,
  MB: 1e6,
  GB: 1e9,
  TB: 1e12,
  KIB: 2 ** 10,
  MIB: 2 ** 20,
  GIB: 2 ** 30,
  TIB: 2 ** 40,
};

/** A shard size as Hugging Face writes it: bytes, or "5GB" (powers of 10) / "5GiB" (powers of 2). */
export function parseByteSize(value: number | string, what = 'max shard size'): number {
  if (typeof value === 'number') {
    if (Number.isSafeInteger(value) && value > 0) return value;
    throw new ConfigError(`${what} must be a positive number of bytes, got ${value}`);
  }
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(value);
  const unit = m ? SIZE_UNITS[(m[2] || 'B').toUpperCase()] : undefined;
  const bytes = m && unit ? Math.floor(Number(m[1]) * unit) : NaN;
  if (!Number.isSafeInteger(bytes) || bytes <= 0)
    throw new ConfigError(`${what} must be bytes or a size like 5GB or 500MiB, got ${quote(value)}`);
  return bytes;
}
