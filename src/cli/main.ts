// ticketlab's command line. Errors a user can act on print one line and exit non-zero; anything unexpected
// prints one line too, with the stack trace only under --debug.
import { Command, CommanderError } from 'commander';
import { native } from '../engine/native.js';
import { InterruptedError, UserError } from '../util/errors.js';
import { oneOf, positiveInt } from '../util/flags.js';
import type { GlobalOptions } from './output.js';
import { stopWithParent } from './stop.js';
import { commandsFor } from './command-table.js';

const debug = process.argv.includes('--debug');

function fail(message: string, code = 1): never {
  process.stderr.write(`ticketlab: error: ${message}\n`);
  process.exit(code);
}

function handle(err: unknown): never {
  if (err instanceof CommanderError) process.exit(err.exitCode === 0 ? 0 : 2);
  if (debug && err instanceof Error) process.stderr.write(`${err.stack}\n`);
  if (err instanceof InterruptedError) fail(err.message, 130);
  if (err instanceof UserError) fail(err.message);
  const msg = err instanceof Error ? err.message : String(err);
  fail(`${msg.split('\n')[0]}${debug ? '' : ' (run with --debug for details)'}`);
}

const program = new Command('ticketlab')
  .description('find, verify and study lottery tickets: sparse subnetworks that train to full accuracy')
  .option('--json', 'machine-readable output: JSON lines on stdout')
  .option('--debug', 'show stack traces on errors')
  .option('--threads <n>', 'compute threads (default 1, or TICKETLAB_THREADS)', positiveInt('--threads', 256))
  .option('--gemm <backend>', 'GEMM backend: openblas or fallback', oneOf('--gemm', ['openblas', 'fallback'] as const))
  .showHelpAfterError('(run ticketlab --help for usage)')
  .exitOverride()
  .configureOutput({ outputError: (str, write) => write(str.replace(/^error:/, 'ticketlab: error:')) })
  .hook('preAction', () => {
    stopWithParent();
    const g = program.opts<GlobalOptions>();
    if (g.threads) native.setThreads(g.threads);
    if (g.gemm) {
      try {
        native.setGemmBackend(g.gemm);
      } catch (e) {
        throw new UserError((e as Error).message.replace(/^setGemmBackend: /, ''));
      }
    }
  });

for (const register of await commandsFor(process.argv.slice(2))) register(program);

process.on('uncaughtException', handle);
try {
  await program.parseAsync(process.argv);
} catch (err) {
  handle(err);
}
