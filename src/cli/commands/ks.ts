// `ticketlab ks --before A --after B`: KS-Lottery's token ticket. Each row of the embedding (or of --tensor) is
// compared before and after tuning with a two-sample Kolmogorov-Smirnov test; the rows that changed significantly
// are the ticket. Rows are streamed from the two checkpoints, so memory stays small whatever their size.
import type { Command } from 'commander';
import { openCheckpoint } from '../../checkpoints/open.js';
import { writeFileAtomic } from '../../store/atomic.js';
import { loadTokenizer } from '../../text/registry.js';
import type { Tokenizer } from '../../text/tokenizer.js';
import { findEmbedding } from '../../token-tickets/embedding-name.js';
import { ksRowStatistics } from '../../token-tickets/row-statistics.js';
import { CORRECTIONS, selectRows, type Correction } from '../../token-tickets/select.js';
import { finiteNumber, oneOf, positiveInt } from '../../util/flags.js';
import { progressBar } from '../progress.js';
import { emit, say, type GlobalOptions } from '../output.js';

interface KsFlags {
  before: string;
  after: string;
  tensor?: string;
  alpha: number;
  correction: Correction;
  top?: number;
  tokenizer?: string;
  out?: string;
}

const CORRECTION_HELP = 'none: each row at level α (the paper); holm: family-wise error ≤ α; bh: false discoveries ≤ α';

export function ksCommand(program: Command): void {
  program
    .command('ks')
    .description('KS-Lottery: the embedding rows (tokens) a tuning changed significantly, by a KS test per row')
    .requiredOption('--before <path>', 'checkpoint before tuning (.safetensors file, shard index or directory)')
    .requiredOption('--after <path>', 'checkpoint after tuning, with the same tensor shape and dtype')
    .option('--tensor <name>', 'the matrix to test (default: the token embedding, found by name)')
    .option('--alpha <x>', 'significance level', finiteNumber('--alpha'), 0.05)
    .option('--correction <rule>', CORRECTION_HELP, oneOf('--correction', CORRECTIONS), 'none')
    .option('--top <k>', 'show (and keep in --json / --out) only the k largest statistics', positiveInt('--top'))
    .option('--tokenizer <name>', 'show each row as its token: llama, gpt2, bytes or a vocabulary file')
    .option('--out <file>', 'also write the selection as JSON (the input of `ticketlab transfer --rows`)')
    .action(async (o: KsFlags) => {
      const g = program.opts<GlobalOptions>();
      const started = performance.now();
      const before = openCheckpoint(o.before);
      const after = openCheckpoint(o.after);
      const tensor = o.tensor ?? findEmbedding(before);
      const tokenizer = o.tokenizer === undefined ? null : await loadTokenizer(o.tokenizer);
      const bar = progressBar('rows', 1, !g.json);
      const stats = ksRowStatistics(before, after, tensor, (done, total) => {
        bar.report(done, total);
      });
      bar.stop();
      const selection = selectRows(stats, o.alpha, o.correction);
      const shown = o.top === undefined ? selection.selected : selection.selected.slice(0, o.top);
      const result = {
        tensor,
        rows: stats.rows,
        dim: stats.dim,
        alpha: o.alpha,
        correction: o.correction,
        critical_value: selection.criticalValue,
        critical_value_approx: selection.criticalValueApprox,
        counts: selection.counts,
        selected: shown.map((t) => ({
          row: t.row,
          token: tokenOf(tokenizer, t.row),
          statistic: t.statistic,
          p_value: t.pValue,
        })),
        seconds: (performance.now() - started) / 1000,
      };
      if (o.out) writeFileAtomic(o.out, JSON.stringify(result, null, 1) + '\n');
      if (g.json) return emit(g, result);
      say(g, `${tensor}: ${stats.rows} rows × ${stats.dim} (${stats.dtype}), α = ${o.alpha}`);
      say(
        g,
        `critical value D ≥ ${fmt(selection.criticalValue)} (exact; the paper's approximation gives ${fmt(selection.criticalValueApprox)})`,
      );
      say(
        g,
        `selected ${selection.counts[o.correction]} rows (per-row test: ${selection.counts.none}, Holm: ${selection.counts.holm}, Benjamini-Hochberg: ${selection.counts.bh})`,
      );
      for (const [i, r] of result.selected.entries()) {
        const token = r.token === null ? '' : `  ${JSON.stringify(r.token)}`;
        say(
          g,
          `${String(i + 1).padStart(5)}  row ${String(r.row).padEnd(7)} D ${fmt(r.statistic)}  p ${r.p_value.toExponential(3)}${token}`,
        );
      }
      if (shown.length < selection.selected.length)
        say(g, `… ${selection.selected.length - shown.length} more (--top)`);
      say(g, `${result.seconds.toFixed(2)} s`);
    });
}

/** The row's token, or null without a tokenizer or past its vocabulary (embeddings are often padded). */
function tokenOf(tokenizer: Tokenizer | null, row: number): string | null {
  return tokenizer && row < tokenizer.vocabSize ? tokenizer.tokenString(row) : null;
}

const fmt = (d: number) => d.toFixed(5);
