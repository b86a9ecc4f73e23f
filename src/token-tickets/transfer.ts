// Partial transfer (KS-Lottery): a checkpoint identical to `base` byte for byte, except the selected rows of one
// tensor, which are taken from `from`. The output is built under a temporary name and renamed into place only when
// complete, so a failure never leaves a partial checkpoint.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { asUserError, fsyncDir, tempPathFor } from '../store/atomic.js';
import { quote } from '../store/message-text.js';
import { ConfigError, DataError } from '../util/errors.js';
import { checkpointTensor, type Checkpoint } from '../checkpoints/open.js';
import { dtypeInfo } from '../checkpoints/dtypes.js';
import { openForRead, readFully } from '../checkpoints/file-io.js';
import type { TensorEntry } from '../checkpoints/header.js';

export interface TransferResult {
  /** What openCheckpoint should be given for the output: the file, or the index in the output directory. */
  output: string;
  tensor: string;
  rows: number;
  bytesChanged: number;
}

/**
 * Writes `out`: for a single-file base a .safetensors file, for a sharded base a directory holding a copy of every
 * shard and the index. Refuses to overwrite an existing output.
 */
export function transferRows(
  base: Checkpoint,
  from: Checkpoint,
  tensor: string,
  rows: readonly number[],
  out: string,
): TransferResult {
  const [a, b] = sameLayout(base, from, tensor);
  if (fs.existsSync(out)) throw new ConfigError(`output ${out} already exists: choose a new name`);
  const rowBytes = a.bytes / a.shape[0]!;
  const tmp = tempPathFor(out);
  try {
    let target: string;
    if (base.sharded) {
      // Shards keep their places relative to the index, which names them that way.
      const dir = path.dirname(base.source);
      const inTmp = (f: string) => path.join(tmp, path.relative(dir, f));
      for (const f of [...base.files, base.source]) {
        fs.mkdirSync(path.dirname(inTmp(f)), { recursive: true });
        fs.copyFileSync(f, inTmp(f));
      }
      target = inTmp(a.file);
    } else {
      fs.copyFileSync(base.source, tmp);
      target = tmp;
    }
    copyRows(a, b, target, rows, rowBytes);
    fs.renameSync(tmp, out);
  } catch (err) {
    fs.rmSync(tmp, { recursive: true, force: true });
    throw asUserError(err, `cannot write ${out}`);
  }
  fsyncDir(path.dirname(path.resolve(out)));
  const output = base.sharded ? path.join(out, path.basename(base.source)) : out;
  return { output, tensor, rows: rows.length, bytesChanged: rows.length * rowBytes };
}

/** The tensor in both checkpoints, with the same shape and dtype (the bytes of a row must mean the same). */
function sameLayout(base: Checkpoint, from: Checkpoint, name: string): [TensorEntry, TensorEntry] {
  const a = checkpointTensor(base, name);
  const b = checkpointTensor(from, name);
  if (a.shape.join() !== b.shape.join())
    throw new DataError(
      `tensor ${quote(name)} has shape [${a.shape.join(', ')}] in ${base.source} but [${b.shape.join(', ')}] in ${from.source}`,
    );
  if (a.dtype !== b.dtype)
    throw new DataError(`tensor ${quote(name)} is ${a.dtype} in ${base.source} but ${b.dtype} in ${from.source}`);
  if (a.shape.length < 1 || a.shape[0] === 0) throw new DataError(`tensor ${quote(name)} has no rows`);
  if (a.bytes !== a.shape.reduce((x, y) => x * y, 1) * dtypeInfo(a.dtype).itemSize)
    throw new DataError(`tensor ${quote(name)} in ${base.source} has a size that does not match its shape`);
  return [a, b];
}

/** Overwrites each selected row of `a` in `target` (a copy of a's file) with the row's bytes in b's file. */
function copyRows(a: TensorEntry, b: TensorEntry, target: string, rows: readonly number[], rowBytes: number): void {
  const src = openForRead(b.file);
  const fd = fs.openSync(target, 'r+');
  try {
    const buf = new Uint8Array(rowBytes);
    for (const r of rows) {
      readFully(src.fd, buf, b.offset + r * rowBytes, b.file);
      let done = 0;
      while (done < rowBytes) done += fs.writeSync(fd, buf, done, rowBytes - done, a.offset + r * rowBytes + done);
    }
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
    fs.closeSync(src.fd);
  }
}
