// ticketlab's command line. Errors a user can act on print one line and exit non-zero; anything unexpected
// prints one line too, with the stack trace only under --debug.
import { Command, CommanderError } from 'commander';
import { native } from '../engine/native.js';
import { InterruptedError, UserError } from '../util/errors.js';
import { oneOf, positiveInt } from '../util/flags.js';
import { infoCommand } from './commands/info.js';
import { trainCommand } from './commands/train.js';
import { lotteryCommand } from './commands/lottery.js';
import { reportCommand } from './commands/report.js';
import { runsCommand } from './commands/runs.js';
import { plantCommand } from './commands/plant.js';
import { seekCommand } from './commands/seek.js';
import { pruneCommand } from './commands/prune.js';
import { exportCommand } from './commands/export.js';
import { checkpointCommand } from './commands/checkpoint.js';
import { grokCommand } from './commands/grok.js';
import { ksCommand } from './commands/ks.js';
import { ksStudyCommand } from './commands/ks-study.js';
import { transferCommand } from './commands/transfer.js';
import { ltpMaskCommand } from './commands/ltp-mask.js';
import { ltpStudyCommand } from './commands/ltp-study.js';
import { verifyCommand } from './commands/verify.js';
import { signCommand } from './commands/sign.js';
import { attackCommand } from './commands/attack.js';
import { lockCommand, unlockCommand } from './commands/lock.js';
import { ownershipStudyCommand } from './commands/ownership-study.js';
import { superticketsCommand } from './commands/supertickets.js';
import { superticketsStudyCommand } from './commands/supertickets-study.js';
import { serveCommand } from './commands/serve.js';
import { sweepCommand } from './commands/sweep.js';
import { workerCommand } from './commands/worker.js';
import type { GlobalOptions } from './output.js';
import { stopWithParent } from './stop.js';

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

infoCommand(program);
trainCommand(program);
lotteryCommand(program);
runsCommand(program);
reportCommand(program);
plantCommand(program);
seekCommand(program);
pruneCommand(program);
exportCommand(program);
checkpointCommand(program);
grokCommand(program);
ksCommand(program);
ksStudyCommand(program);
transferCommand(program);
ltpMaskCommand(program);
ltpStudyCommand(program);
verifyCommand(program);
signCommand(program);
attackCommand(program);
lockCommand(program);
unlockCommand(program);
ownershipStudyCommand(program);
superticketsCommand(program);
superticketsStudyCommand(program);
serveCommand(program);
sweepCommand(program);
workerCommand(program);

process.on('uncaughtException', handle);
try {
  await program.parseAsync(process.argv);
} catch (err) {
  handle(err);
}
