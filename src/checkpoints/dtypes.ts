// The dtypes a checkpoint may hold. Every one can be listed (its item size is known); most can be read, into the
// typed array named here, with F16 and BF16 widened to Float32Array. FP8 tensors list but do not read.

export type TensorArray =
  | Float32Array
  | Float64Array
  | Int8Array
  | Int16Array
  | Int32Array
  | BigInt64Array
  | Uint8Array
  | Uint16Array
  | Uint32Array
  | BigUint64Array;

type ArrayCtor = { new (buffer: ArrayBuffer, byteOffset?: number, length?: number): TensorArray; name: string };

interface DtypeInfo {
  itemSize: number;
  /** How the file's bytes are viewed; absent when ticketlab cannot read the dtype. */
  ctor?: ArrayCtor;
  /** 16-bit floats whose bits are widened to float32 on read. */
  widen?: 'f16' | 'bf16';
}

const CHECKPOINT_DTYPES = {
  F64: { itemSize: 8, ctor: Float64Array },
  F32: { itemSize: 4, ctor: Float32Array },
  F16: { itemSize: 2, widen: 'f16' },
  BF16: { itemSize: 2, widen: 'bf16' },
  F8_E4M3: { itemSize: 1 },
  F8_E5M2: { itemSize: 1 },
  I64: { itemSize: 8, ctor: BigInt64Array },
  I32: { itemSize: 4, ctor: Int32Array },
  I16: { itemSize: 2, ctor: Int16Array },
  I8: { itemSize: 1, ctor: Int8Array },
  U64: { itemSize: 8, ctor: BigUint64Array },
  U32: { itemSize: 4, ctor: Uint32Array },
  U16: { itemSize: 2, ctor: Uint16Array },
  U8: { itemSize: 1, ctor: Uint8Array },
  BOOL: { itemSize: 1, ctor: Uint8Array },
} satisfies Record<string, DtypeInfo>;

export type CheckpointDtype = keyof typeof CHECKPOINT_DTYPES;

/** Float dtypes that load into float32 parameters (F64 narrows, F16/BF16 widen exactly). */
export const FLOAT_DTYPES: readonly CheckpointDtype[] = ['F32', 'F16', 'BF16', 'F64'];

export function isCheckpointDtype(s: unknown): s is CheckpointDtype {
  return typeof s === 'string' && Object.prototype.hasOwnProperty.call(CHECKPOINT_DTYPES, s);
}

export function dtypeInfo(dtype: CheckpointDtype): DtypeInfo {
  return CHECKPOINT_DTYPES[dtype];
}
