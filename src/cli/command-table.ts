// The subcommands, each loaded only when it runs. A command's module pulls in what it needs (plotting, the dashboard
// server, the job queue, ...), and loading all of them cost about a second of CPU on every call, most of it for code
// the call never used. `ticketlab --help` and unknown names still load them all, so help lists every command and
// commander names the unknown one; so do `sweep` and `report`, which check a sweep file's flags against the commands.
import type { Command } from 'commander';

type Register = (program: Command) => void;

const COMMANDS: Record<string, () => Promise<Register>> = {
  info: async () => (await import('./commands/info.js')).infoCommand,
  train: async () => (await import('./commands/train.js')).trainCommand,
  lottery: async () => (await import('./commands/lottery.js')).lotteryCommand,
  runs: async () => (await import('./commands/runs.js')).runsCommand,
  report: async () => (await import('./commands/report.js')).reportCommand,
  plant: async () => (await import('./commands/plant.js')).plantCommand,
  seek: async () => (await import('./commands/seek.js')).seekCommand,
  prune: async () => (await import('./commands/prune.js')).pruneCommand,
  export: async () => (await import('./commands/export.js')).exportCommand,
  checkpoint: async () => (await import('./commands/checkpoint.js')).checkpointCommand,
  grok: async () => (await import('./commands/grok.js')).grokCommand,
  ks: async () => (await import('./commands/ks.js')).ksCommand,
  'ks-study': async () => (await import('./commands/ks-study.js')).ksStudyCommand,
  transfer: async () => (await import('./commands/transfer.js')).transferCommand,
  'ltp-mask': async () => (await import('./commands/ltp-mask.js')).ltpMaskCommand,
  'ltp-study': async () => (await import('./commands/ltp-study.js')).ltpStudyCommand,
  verify: async () => (await import('./commands/verify.js')).verifyCommand,
  sign: async () => (await import('./commands/sign.js')).signCommand,
  attack: async () => (await import('./commands/attack.js')).attackCommand,
  lock: async () => (await import('./commands/lock.js')).lockCommand,
  unlock: async () => (await import('./commands/lock.js')).unlockCommand,
  'ownership-study': async () => (await import('./commands/ownership-study.js')).ownershipStudyCommand,
  supertickets: async () => (await import('./commands/supertickets.js')).superticketsCommand,
  'supertickets-study': async () => (await import('./commands/supertickets-study.js')).superticketsStudyCommand,
  serve: async () => (await import('./commands/serve.js')).serveCommand,
  sweep: async () => (await import('./commands/sweep.js')).sweepCommand,
  worker: async () => (await import('./commands/worker.js')).workerCommand,
};

/** Commands that read the other commands' flags (sweep.ts `sweepCommandFlags`). */
const NEEDS_ALL = new Set(['sweep', 'report']);

/** Global options that take a value as the next word (`--threads 2`); see main.ts. */
const GLOBAL_WITH_VALUE = new Set(['--threads', '--gemm']);

/** The subcommand named on a command line (the first word that is neither a global option nor its value). */
function subcommandOf(args: readonly string[]): string | undefined {
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (!a.startsWith('-')) return a;
    if (GLOBAL_WITH_VALUE.has(a)) i++;
  }
  return undefined;
}

/** The register functions a command line needs: its own command's, or all of them (help, unknown names). */
export async function commandsFor(args: readonly string[]): Promise<Register[]> {
  const name = subcommandOf(args);
  const alone = name !== undefined && Object.hasOwn(COMMANDS, name) && !NEEDS_ALL.has(name);
  const names = alone ? [name] : Object.keys(COMMANDS);
  return Promise.all(names.map((n) => COMMANDS[n]!()));
}
