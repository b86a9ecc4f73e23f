// A mask file: safetensors with one U8 (0/1) tensor per masked parameter, same names and shapes. The header is laid
// out from the shapes alone, so the bytes can follow tensor by tensor as they are computed; they go to a temporary
// file that is fsynced and renamed into place only when complete, so a failure leaves nothing behind.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { asUserError, fsyncDir, tempPathFor } from '../store/atomic.js';
import { compareUtf8, jsonMembers, METADATA_KEY, numel } from '../store/safetensors-format.js';
import { ConfigError } from '../util/errors.js';

export interface MaskTensor {
  name: string;
  shape: readonly number[];
}

export class MaskFileWriter {
  private fd: number | undefined;
  private written = 0;

  private constructor(
    readonly out: string,
    private readonly temp: string,
    private readonly dataBytes: number,
  ) {}

  /**
   * Starts `out` with the header for `tensors`, whose bytes must then be written in the order given (which must be
   * sorted by name, the order safetensors writers use). An existing `out` is refused.
   */
  static create(out: string, tensors: readonly MaskTensor[], metadata: Record<string, string>): MaskFileWriter {
    refuseExisting(out);
    const { header, dataBytes } = maskHeader(tensors, metadata);
    const writer = new MaskFileWriter(out, tempPathFor(out), dataBytes);
    try {
      writer.fd = fs.openSync(writer.temp, 'wx', 0o644);
      writer.writeAll(header);
    } catch (err) {
      writer.abort();
      throw asUserError(err, `cannot write ${out}`);
    }
    return writer;
  }

  /** Appends mask bytes (the next elements, in tensor order). */
  write(bytes: Uint8Array): void {
    try {
      this.writeAll(bytes);
    } catch (err) {
      throw asUserError(err, `cannot write ${this.out}`);
    }
    this.written += bytes.byteLength;
  }

  /** Makes the file durable and gives it its name. */
  commit(): void {
    if (this.written !== this.dataBytes)
      throw new Error(`mask ${this.out}: ${this.written} bytes written, the header promises ${this.dataBytes}`);
    try {
      fs.fsyncSync(this.fd!);
      fs.closeSync(this.fd!);
      this.fd = undefined;
      refuseExisting(this.out); // someone may have made it meanwhile; rename would replace it
      fs.renameSync(this.temp, this.out);
    } catch (err) {
      this.abort();
      throw asUserError(err, `cannot write ${this.out}`);
    }
    fsyncDir(path.dirname(path.resolve(this.out)));
  }

  /** Removes the temporary file (after a failure). */
  abort(): void {
    if (this.fd !== undefined) {
      try {
        fs.closeSync(this.fd);
      } catch {
        // already failing; the original error is the one to report
      }
      this.fd = undefined;
    }
    fs.rmSync(this.temp, { force: true });
  }

  private writeAll(bytes: Uint8Array): void {
    for (let done = 0; done < bytes.byteLength;) done += fs.writeSync(this.fd!, bytes, done, bytes.byteLength - done);
  }
}

function refuseExisting(out: string): void {
  if (fs.existsSync(out)) throw new ConfigError(`output ${out} already exists: choose a new name`);
}

/** The 8-byte length and JSON header (padded with spaces to 8 bytes), and the data bytes that follow. */
function maskHeader(tensors: readonly MaskTensor[], metadata: Record<string, string>) {
  for (let i = 1; i < tensors.length; i++)
    if (compareUtf8(tensors[i - 1]!.name, tensors[i]!.name) >= 0)
      throw new RangeError('mask tensors must be given sorted by name, without repeats');
  const metaKeys = Object.keys(metadata).sort(compareUtf8);
  const members: [string, string][] = [
    [METADATA_KEY, `{${jsonMembers(metaKeys.map((k) => [k, JSON.stringify(metadata[k])]))}}`],
  ];
  let dataBytes = 0;
  for (const t of tensors) {
    const end = dataBytes + numel(t.shape);
    members.push([t.name, JSON.stringify({ dtype: 'U8', shape: t.shape, data_offsets: [dataBytes, end] })]);
    dataBytes = end;
  }
  const json = Buffer.from(`{${jsonMembers(members)}}`, 'utf8');
  const padded = Math.ceil(json.byteLength / 8) * 8;
  const header = new Uint8Array(8 + padded).fill(0x20);
  new DataView(header.buffer).setBigUint64(0, BigInt(padded), true);
  header.set(json, 8);
  return { header, dataBytes };
}
