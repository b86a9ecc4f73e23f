// `ticketlab export RUN --level L --format safetensors|onnx`: writes a trained ticket as sparse (CSR) safetensors
// or as an ONNX graph with the masked weights baked in.
import path from 'node:path';
import type { Command } from 'commander';
import { defaultExportPath, EXPORT_FORMATS, exportTicket, type ExportFormat } from '../../export/write.js';
import { loadTicket } from '../../export/ticket.js';
import { ONNX_FAMILIES } from '../../export/onnx.js';
import { TRUNK } from '../../lottery/layout.js';
import { nonNegativeInt, oneOf, positiveInt } from '../../util/flags.js';
import { emit, say, type GlobalOptions } from '../output.js';

interface ExportOptions {
  level: number;
  format: ExportFormat;
  branch: string;
  replicate: number;
  root?: string;
  out?: string;
}

export function exportCommand(program: Command): void {
  program
    .command('export')
    .description(
      `export a trained ticket: sparse CSR safetensors, or ONNX (${ONNX_FAMILIES.join(', ')}); see docs/export.md`,
    )
    .argument('<run>', 'experiment directory or name (lottery_<hash>)')
    .requiredOption('--level <L>', 'pruning level to export', nonNegativeInt('--level'))
    .requiredOption(
      '--format <format>',
      `output format: ${EXPORT_FORMATS.join(' or ')}`,
      oneOf('--format', EXPORT_FORMATS),
    )
    .option('--branch <name>', 'branch of the level (main: the winning ticket)', TRUNK)
    .option('--replicate <n>', 'replicate number', positiveInt('--replicate'), 1)
    .option('--root <dir>', 'run root to look names up in (default: as for lottery)')
    .option('--out <file>', 'output file (default: ticket.csr.safetensors or ticket.onnx in the level directory)')
    .action((run: string, o: ExportOptions) => {
      const g = program.opts<GlobalOptions>();
      const ticket = loadTicket(run, { level: o.level, branch: o.branch, replicate: o.replicate, root: o.root });
      const file = path.resolve(o.out ?? defaultExportPath(ticket, o.format));
      const r = exportTicket(ticket, o.format, file);
      const nnz = Object.values(r.nnz).reduce((a, b) => a + b, 0);
      emit(g, {
        ...r,
        experiment: ticket.experiment,
        replicate: ticket.replicate,
        branch: ticket.branch,
        level: ticket.level,
        total_nnz: nnz,
      });
      say(
        g,
        `wrote ${r.file} (${r.format}, ${r.bytes} bytes): ${r.model}, ${ticket.experiment} replicate ${ticket.replicate} level ${ticket.level} (${ticket.branch}), ${(100 * r.density).toFixed(2)}% of weights kept (${nnz})`,
      );
    });
}
