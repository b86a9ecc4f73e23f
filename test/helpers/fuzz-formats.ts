// Oracles for the store fuzz suites: what safetensors and JSON bytes mean, written from the formats'
// descriptions rather than from the readers, plus a small stored-result schema to read JSON files with.
import fc from 'fast-check';
import { readJsonFile } from '../../src/store/json-file.js';
import type { DecodedSafetensors, DecodedTensor } from '../../src/store/safetensors.js';
import { DataError, UserError } from '../../src/util/errors.js';
import { sameBytes, type Oracle } from './fuzz.js';

// ------------------------------------------------------------------ safetensors

const ITEM: Record<string, number> = { F16: 2, F32: 4, F64: 8, I32: 4, I64: 8, U8: 1, BOOL: 1 };
const isIndex = (x: unknown): x is number => Number.isSafeInteger(x) && (x as number) >= 0;
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const define = (o: object, k: string, value: unknown) =>
  Object.defineProperty(o, k, { value, enumerable: true, writable: true, configurable: true });

function half(h: number): number {
  const sign = h >> 15 ? -1 : 1;
  const e = (h >> 10) & 31;
  const f = h & 1023;
  if (e === 0) return sign * f * 2 ** -24;
  if (e === 31) return f ? NaN : sign * Infinity;
  return sign * (1 + f / 1024) * 2 ** (e - 15);
}

function typed(dtype: string, raw: Uint8Array): DecodedTensor['data'] {
  const buf = Uint8Array.from(raw).buffer;
  switch (dtype) {
    case 'F16':
      return Float32Array.from(new Uint16Array(buf), half);
    case 'F32':
      return new Float32Array(buf);
    case 'F64':
      return new Float64Array(buf);
    case 'I32':
      return new Int32Array(buf);
    case 'I64':
      return new BigInt64Array(buf);
    default:
      return new Uint8Array(buf);
  }
}

/**
 * u64 LE header length N, N bytes of UTF-8 JSON object, then the data region, which the tensors' data_offsets
 * must tile exactly (each span = product of shape x item size; no gap, overlap or excess).
 */
export function stOracle(bytes: Uint8Array): Oracle<DecodedSafetensors> {
  const bad = { valid: false } as const;
  if (bytes.length < 8) return bad;
  const n = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).readBigUInt64LE(0);
  if (n > BigInt(bytes.length - 8)) return bad;
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + Number(n))));
  } catch {
    return bad;
  }
  if (!isObject(header)) return bad;
  const data = bytes.subarray(8 + Number(n));
  const tensors: Record<string, DecodedTensor> = {};
  const metadata: Record<string, string> = {};
  const spans: [number, number][] = [];
  for (const [k, v] of Object.entries(header)) {
    if (k === '__metadata__') {
      if (!isObject(v) || !Object.values(v).every((s) => typeof s === 'string')) return bad;
      for (const [mk, mv] of Object.entries(v)) define(metadata, mk, mv);
      continue;
    }
    if (!isObject(v)) return bad;
    const { dtype, shape, data_offsets: off } = v;
    if (typeof dtype !== 'string' || !Object.hasOwn(ITEM, dtype)) return bad;
    if (!Array.isArray(shape) || !shape.every(isIndex)) return bad;
    if (!Array.isArray(off) || off.length !== 2 || !off.every(isIndex) || off[0] > off[1]) return bad;
    if (off[1] - off[0] !== shape.reduce((a: number, b: number) => a * b, 1) * ITEM[dtype]!) return bad;
    spans.push([off[0], off[1]]);
    if (off[1] <= data.length) define(tensors, k, { dtype, shape, data: typed(dtype, data.subarray(off[0], off[1])) });
  }
  spans.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let end = 0;
  for (const [b, e] of spans) {
    if (b !== end) return bad;
    end = e;
  }
  return end === data.length ? { valid: true, value: { tensors, metadata } } : bad;
}

function sameTensor(a: DecodedTensor, b: DecodedTensor): boolean {
  if (a.dtype !== b.dtype || a.shape.join() !== b.shape.join() || a.data.length !== b.data.length) return false;
  if (a.dtype !== 'F16') return sameBytes(a.data, b.data);
  return (a.data as Float32Array).every((v, i) => Object.is(v, b.data[i]));
}

export function sameDecoded(a: DecodedSafetensors, b: DecodedSafetensors): boolean {
  const keys = (o: object) => Object.keys(o).sort().join('\u0000');
  if (keys(a.tensors) !== keys(b.tensors) || keys(a.metadata) !== keys(b.metadata)) return false;
  return (
    Object.keys(a.tensors).every((k) => sameTensor(a.tensors[k]!, b.tensors[k]!)) &&
    Object.keys(a.metadata).every((k) => a.metadata[k] === b.metadata[k])
  );
}

export function hasNonFinite(d: DecodedSafetensors): boolean {
  return Object.values(d.tensors).some(
    (t) => (t.dtype === 'F32' || t.dtype === 'F64' || t.dtype === 'F16') && !t.data.every(Number.isFinite),
  );
}

// ------------------------------------------------------------------ JSON: a stored level result

export interface LevelResult {
  level: number;
  branch: string;
  density: number;
  test_accuracy: number | null;
  curve: { step: number; accuracy: number }[];
}

const unit = fc.double({ min: 0, max: 1, noNaN: true }).map((x) => x + 0); // + 0 turns -0 into 0, as JSON does
export const levelResultArb: fc.Arbitrary<LevelResult> = fc.record(
  {
    level: fc.nat(30),
    branch: fc.string({ maxLength: 12 }),
    density: unit,
    test_accuracy: fc.option(unit, { nil: null }),
    curve: fc.array(fc.record({ step: fc.nat(), accuracy: unit }, { noNullPrototype: true }), { maxLength: 5 }),
  },
  { noNullPrototype: true },
);

const isUnit = (x: unknown): x is number => typeof x === 'number' && x >= 0 && x <= 1;

/** The schema a caller of readJsonFile supplies: returns a fresh typed value or throws a DataError saying what is off. */
export function validateLevelResult(v: unknown): LevelResult {
  if (!isObject(v)) throw new DataError('expected an object');
  if (!isIndex(v.level)) throw new DataError('level must be a non-negative integer');
  if (typeof v.branch !== 'string') throw new DataError('branch must be a string');
  if (!isUnit(v.density)) throw new DataError('density must be a number in [0, 1]');
  if (v.test_accuracy !== null && !isUnit(v.test_accuracy))
    throw new DataError('test_accuracy must be null or a number in [0, 1]');
  if (!Array.isArray(v.curve)) throw new DataError('curve must be an array');
  const curve = v.curve.map((p: unknown, i) => {
    if (!isObject(p) || !isIndex(p.step) || !isUnit(p.accuracy))
      throw new DataError(`curve[${i}] must be {step, accuracy}`);
    return { step: p.step, accuracy: p.accuracy };
  });
  return {
    level: v.level,
    branch: v.branch,
    density: v.density,
    test_accuracy: v.test_accuracy as number | null,
    curve,
  };
}

export const readLevelResult = (file: string): LevelResult => readJsonFile(file, validateLevelResult);

/** UTF-8 text (a leading byte-order mark allowed), one JSON value, accepted by the schema. */
export function jsonOracle<T>(bytes: Uint8Array, validate: (v: unknown) => T): Oracle<T> {
  try {
    const text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
    return { valid: true, value: validate(JSON.parse(text)) };
  } catch (err) {
    if (err instanceof SyntaxError || err instanceof TypeError || err instanceof UserError) return { valid: false };
    throw err;
  }
}
