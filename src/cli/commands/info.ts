// `ticketlab info`: versions, GEMM backend and threads.
import { createRequire } from 'node:module';
import os from 'node:os';
import type { Command } from 'commander';
import { native } from '../../engine/native.js';
import { emit, type GlobalOptions } from '../output.js';

const require = createRequire(import.meta.url);

function gemmNote(gemm: string, config: string, compiledWithBlas: boolean): string {
  if (gemm === 'openblas') return ` — ${config}`;
  if (compiledWithBlas) return ' (OpenBLAS available but disabled)';
  return ' (built without OpenBLAS: apt-get install libopenblas-dev, then npm install)';
}

export function infoCommand(program: Command): void {
  program
    .command('info')
    .description('show versions, the GEMM backend in use and threads')
    .action(() => {
      const opts = program.opts<GlobalOptions>();
      const n = native.info();
      const pkg = require('../../../../package.json') as { version: string };
      const info = {
        ticketlab: pkg.version,
        node: process.versions.node,
        napi: process.versions.napi,
        platform: `${process.platform}-${process.arch}`,
        cpu: os.cpus()[0]?.model ?? 'unknown',
        cores: os.cpus().length,
        gemm: n.gemm,
        compiled_with_openblas: n.compiledWithOpenBLAS,
        blas_config: n.blasConfig,
        openblas_coretype: process.env.OPENBLAS_CORETYPE ?? null,
        threads: n.threads,
        kernels: n.simd,
      };
      if (opts.json) return emit(opts, info);
      const lines = [
        `ticketlab ${info.ticketlab} (node ${info.node}, N-API ${info.napi}, ${info.platform})`,
        `cpu:     ${info.cpu} (${info.cores} cores)`,
        `gemm:    ${info.gemm}${gemmNote(info.gemm, info.blas_config, info.compiled_with_openblas)}`,
        `threads: ${info.threads}`,
        `kernels: ${info.kernels === 'none' ? 'generic loops (no AVX2 + FMA in this build)' : `${info.kernels} (sparse and direct conv)`}`,
      ];
      console.log(lines.join('\n'));
    });
}
