// KS-Lottery at LLaMA-7B's embedding size: ticketlab's `ks` work (stream both BF16 tensors, a KS test per row, the
// per-row selection with exact p-values) against scipy.stats.ks_2samp over the same rows of the same files.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { openCheckpoint } from '../src/checkpoints/open.js';
import { ksRowStatistics } from '../src/token-tickets/row-statistics.js';
import { selectRows } from '../src/token-tickets/select.js';
import type { RunCase } from './cases.js';

const dataDir = path.join(os.tmpdir(), 'tl-bench-ks-embedding');
const script = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'bench', 'ks_scipy.py');

/** The two checkpoints, made once by numpy and kept in the temp directory. */
function ensureData(): void {
  if (fs.existsSync(path.join(dataDir, 'after.safetensors'))) return;
  const r = spawnSync('python3', [script, 'make', dataDir], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`ks_scipy.py make failed: ${r.stderr.trim().split('\n').pop()}`);
}

export const KS_CASES: RunCase[] = [
  {
    kind: 'run',
    name: 'ks_embedding_32000x4096',
    pytorch: ['ks_scipy.py', 'time', dataDir],
    async run() {
      ensureData();
      const t0 = process.hrtime.bigint();
      const before = openCheckpoint(path.join(dataDir, 'before.safetensors'));
      const after = openCheckpoint(path.join(dataDir, 'after.safetensors'));
      const stats = ksRowStatistics(before, after, 'model.embed_tokens.weight');
      const selection = selectRows(stats, 0.05, 'none');
      const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
      return { seconds, info: { peer: 'scipy.stats.ks_2samp per row', selected: selection.selected.length } };
    },
  },
];
