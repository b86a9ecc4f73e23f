// `ticketlab ltp-mask --before A --after B --out MASK`: the LTP ticket (Li & Luo 2024), the parameters that changed
// most between a model and its masked-LM fine-tuned copy, as a safetensors file of U8 0/1 masks. Both checkpoints are
// streamed, so memory stays small whatever their size.
import type { Command } from 'commander';
import { openCheckpoint } from '../../checkpoints/open.js';
import { LTP_SCOPES, ltpChangeMask, type LtpScope } from '../../ltp/change-mask.js';
import { finiteNumber, oneOf } from '../../util/flags.js';
import { progressBar } from '../progress.js';
import { emit, say, type GlobalOptions } from '../output.js';

interface LtpMaskFlags {
  before: string;
  after: string;
  keep: number;
  scope: LtpScope;
  layers?: string;
  out: string;
}

const SCOPE_HELP = 'global: the largest changes over all masked tensors together; per-layer: within each tensor';
const LAYERS_HELP =
  'a regular expression searched for in tensor names, e.g. "blocks\\.[12]\\." (default: every floating-point ' +
  'tensor of 2 or more dimensions, so biases and norms are left out)';

export function ltpMaskCommand(program: Command): void {
  program
    .command('ltp-mask')
    .description('LTP: mask the parameters that changed most between a model and its fine-tuned copy (U8 0/1)')
    .requiredOption('--before <path>', 'checkpoint before fine-tuning (.safetensors file, shard index or directory)')
    .requiredOption('--after <path>', 'checkpoint after fine-tuning, with the same tensor shapes and dtypes')
    .option(
      '--keep <fraction>',
      'fraction of the parameters to keep, in (0, 1]; 0.2 is the paper’s',
      finiteNumber('--keep'),
      0.2,
    )
    .option('--scope <scope>', SCOPE_HELP, oneOf('--scope', LTP_SCOPES), 'global')
    .option('--layers <pattern>', LAYERS_HELP)
    .requiredOption('--out <file>', 'the mask: a new .safetensors file, one U8 tensor per masked parameter')
    .action((o: LtpMaskFlags) => {
      const g = program.opts<GlobalOptions>();
      const started = performance.now();
      const before = openCheckpoint(o.before);
      const after = openCheckpoint(o.after);
      const bar = progressBar('tensor passes', 1, !g.json);
      const r = ltpChangeMask(before, after, {
        keep: o.keep,
        scope: o.scope,
        layers: o.layers,
        out: o.out,
        onProgress: (done, total) => {
          bar.report(done, total);
        },
      });
      bar.stop();
      const seconds = (performance.now() - started) / 1000;
      if (g.json)
        return emit(g, {
          before: o.before,
          after: o.after,
          keep: o.keep,
          scope: o.scope,
          layers: o.layers ?? null,
          out: r.out,
          kept: r.kept,
          total: r.total,
          tensors: r.tensors,
          seconds,
        });
      const width = Math.max(...r.tensors.map((t) => t.name.length));
      for (const t of r.tensors)
        say(
          g,
          `${t.name.padEnd(width)}  ${String(t.kept).padStart(12)} / ${String(t.total).padEnd(12)} ${pct(t.fraction)}`,
        );
      say(
        g,
        `${'total'.padEnd(width)}  ${String(r.kept).padStart(12)} / ${String(r.total).padEnd(12)} ${pct(r.total === 0 ? 0 : r.kept / r.total)}`,
      );
      say(g, `wrote ${r.out} (${o.scope}, keep ${o.keep}) in ${seconds.toFixed(2)} s`);
    });
}

const pct = (x: number) => `${(100 * x).toFixed(2).padStart(6)}%`;
