// Writing a trained lottery ticket to a file: sparse safetensors (CSR) or ONNX.
import fs from 'node:fs';
import path from 'node:path';
import { writeFileAtomic } from '../store/atomic.js';
import { UserError } from '../util/errors.js';
import { encodeCsrTicket } from './csr.js';
import { encodeOnnx } from './onnx.js';
import type { Ticket } from './ticket.js';

export const EXPORT_FORMATS = ['safetensors', 'onnx'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

export interface ExportResult {
  format: ExportFormat;
  file: string;
  bytes: number;
  model: string;
  density: number;
  /** Kept weights per prunable weight. */
  nnz: Record<string, number>;
}

/** Where an export goes without --out: next to the ticket's weights. */
export function defaultExportPath(ticket: Ticket, format: ExportFormat): string {
  return path.join(ticket.dir, format === 'onnx' ? 'ticket.onnx' : 'ticket.csr.safetensors');
}

/** Creates `file`'s directory; a file in the way is named (mkdir alone would only say EEXIST). */
function makeParentDir(file: string): void {
  let existing = path.dirname(file);
  while (!fs.existsSync(existing) && existing !== path.dirname(existing)) existing = path.dirname(existing);
  if (!fs.statSync(existing).isDirectory()) throw new UserError(`cannot write ${file}: ${existing} is not a directory`);
  try {
    fs.mkdirSync(path.dirname(file), { recursive: true });
  } catch (e) {
    throw new UserError(`cannot write ${file}: ${(e as Error).message.split(',')[0]}`);
  }
}

/** Encodes the ticket and writes it atomically to `file` (creating its directory): all or nothing. */
export function exportTicket(ticket: Ticket, format: ExportFormat, file: string): ExportResult {
  const meta = {
    experiment: ticket.experiment,
    replicate: ticket.replicate,
    branch: ticket.branch,
    level: ticket.level,
    density: ticket.density,
  };
  let bytes: Uint8Array;
  let nnz: Record<string, number>;
  if (format === 'safetensors') {
    ({ bytes, nnz } = encodeCsrTicket(ticket.model, ticket.masks, meta));
  } else {
    bytes = encodeOnnx(ticket.model, meta);
    nnz = Object.fromEntries([...ticket.masks].map(([n, m]) => [n, m.reduce((a, b) => a + b, 0)]));
  }
  makeParentDir(file);
  writeFileAtomic(file, bytes);
  return { format, file, bytes: bytes.byteLength, model: ticket.model.name, density: ticket.density, nnz };
}
