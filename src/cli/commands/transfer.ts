// `ticketlab transfer --base A --from B --rows SELECTION --out C`: KS-Lottery's partial transfer. C is A byte for
// byte except the selected rows of one tensor (the token embedding by default), which come from B.
import type { Command } from 'commander';
import { checkpointTensor, openCheckpoint } from '../../checkpoints/open.js';
import { findEmbedding } from '../../token-tickets/embedding-name.js';
import { parseRowSelection } from '../../token-tickets/row-selection.js';
import { transferRows } from '../../token-tickets/transfer.js';
import { emit, say, type GlobalOptions } from '../output.js';

interface TransferFlags {
  base: string;
  from: string;
  rows: string;
  out: string;
  tensor?: string;
}

export function transferCommand(program: Command): void {
  program
    .command('transfer')
    .description('KS-Lottery partial transfer: a copy of one checkpoint with selected embedding rows from another')
    .requiredOption('--base <path>', 'the checkpoint to copy')
    .requiredOption('--from <path>', 'the checkpoint whose rows are taken (same tensor shape and dtype)')
    .requiredOption(
      '--rows <selection>',
      'a `ticketlab ks --out` file, a JSON list of rows, or a list like 3,17,200-205',
    )
    .requiredOption('--out <path>', 'the new checkpoint: a .safetensors file, or a directory for a sharded base')
    .option('--tensor <name>', 'the matrix whose rows move (default: the token embedding, found by name)')
    .action((o: TransferFlags) => {
      const g = program.opts<GlobalOptions>();
      const base = openCheckpoint(o.base);
      const from = openCheckpoint(o.from);
      const tensor = o.tensor ?? findEmbedding(base);
      const rows = parseRowSelection(o.rows, checkpointTensor(base, tensor).shape[0] ?? 0);
      const r = transferRows(base, from, tensor, rows, o.out);
      if (g.json) return emit(g, { output: r.output, tensor, rows: r.rows, bytes_changed: r.bytesChanged });
      say(
        g,
        `wrote ${r.output}: ${r.rows} rows of ${tensor} from ${o.from} (${r.bytesChanged} bytes), the rest as ${o.base}`,
      );
    });
}
