// `ticketlab verify RUN --level L [--branch NAME]`: looks for a V2 ownership signature (a QR code written into the
// ticket's mask, Chen et al. 2021) in a stored ticket: every 29×29 window of every large enough layer is read by a
// real QR decoder. The last line (with --json: the last JSON line) is {found, message, layer, window, mismatch_rate,
// test_accuracy}; found is false and message null when no code decodes.
import fs from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { loadTicket } from '../../export/ticket.js';
import { FILES, TRUNK } from '../../lottery/layout.js';
import { levelRecordSchema } from '../../lottery/record.js';
import { readJson } from '../../store/json.js';
import { verifyMasks } from '../../ownership/verify.js';
import { claimMessage } from '../../ownership/claim.js';
import { loadTriggers, TRIGGER_FILE, triggerAccuracy } from '../../ownership/triggers.js';
import { UserError } from '../../util/errors.js';
import { nonNegativeInt, positiveInt } from '../../util/flags.js';
import { emit, say, type GlobalOptions } from '../output.js';

interface VerifyFlags {
  level: number;
  branch: string;
  replicate: number;
  layer?: string;
  root?: string;
  all?: boolean;
  message?: string;
  triggers?: string;
}

export function verifyCommand(program: Command): void {
  program
    .command('verify')
    .description('look for an ownership signature (a QR code in the mask) in a stored ticket, with a real decoder')
    .argument('<run>', 'experiment directory or name (lottery_<hash>)')
    .requiredOption('--level <L>', 'pruning level', nonNegativeInt('--level'))
    .option('--branch <name>', 'branch of the level (main: the winning ticket)', TRUNK)
    .option('--replicate <n>', 'replicate number', positiveInt('--replicate'), 1)
    .option('--layer <name>', 'look in this layer only (default: every layer whose map holds a 29×29 window)')
    .option('--root <dir>', 'run root to look names up in (default: as for lottery)')
    .option('--all', 'list every signature, not only the first (a forged second one, say)')
    .option(
      '--message <text>',
      "the owner's claim: how well the best window matches this message's code, against chance",
    )
    .option('--triggers <file>', "a trigger set (V3) to test the ticket on (default: the branch's own, if it has one)")
    .action((run: string, o: VerifyFlags) => {
      const g = program.opts<GlobalOptions>();
      if (o.triggers && !fs.existsSync(o.triggers)) throw new UserError(`no trigger set ${o.triggers}`);
      const ticket = loadTicket(run, { level: o.level, branch: o.branch, replicate: o.replicate, root: o.root });
      const shapes = new Map(ticket.model.namedParameters().map(([name, p]) => [name, p.shape]));
      const v = verifyMasks(ticket.masks, { shapes, layer: o.layer, all: o.all });
      const claim = o.message ? claimMessage(ticket.masks, { shapes, message: o.message, layer: o.layer }) : undefined;
      const triggerFile = o.triggers ?? path.join(ticket.dir, TRIGGER_FILE);
      const triggerAcc = fs.existsSync(triggerFile)
        ? triggerAccuracy(ticket.model, loadTriggers(triggerFile))
        : undefined;
      const record = readJson(path.join(ticket.dir, FILES.result), levelRecordSchema);
      const result = {
        found: v.found,
        message: v.message,
        layer: v.layer,
        window: v.window,
        mismatch_rate: v.mismatch_rate,
        ...(o.all ? { signatures: v.signatures } : {}),
        ...(claim ? { claim } : {}),
        ...(triggerAcc !== undefined ? { trigger_accuracy: triggerAcc } : {}),
        test_accuracy: record.test_accuracy,
      };
      if (g.json) return emit(g, result);
      if (claim)
        say(
          g,
          `claim ${JSON.stringify(claim.message)}: best window ${claim.layer} row ${claim.window.row}, column ${claim.window.col}, ` +
            `${(100 * claim.mismatch_rate).toFixed(1)}% of ${claim.cells} data cells differ; chance of a match this good ` +
            `anywhere: 1e${claim.log10_p_value.toFixed(1)}`,
        );
      if (triggerAcc !== undefined) say(g, `trigger set: ${(100 * triggerAcc).toFixed(1)}% labelled as trained`);
      for (const s of v.signatures.slice(1))
        say(
          g,
          `also signature ${JSON.stringify(s.message)} in ${s.layer} at row ${s.window.row}, column ${s.window.col}`,
        );
      const where = `${ticket.experiment} replicate ${ticket.replicate} level ${ticket.level} (${ticket.branch})`;
      if (!v.found) return say(g, `${where}: no signature found (${v.decoded} candidate windows decoded)`);
      say(
        g,
        `${where}: signature ${JSON.stringify(v.message)} in ${v.layer} at row ${v.window!.row}, column ${v.window!.col}; ` +
          `${(100 * v.mismatch_rate!).toFixed(1)}% of its data cells differ from the message's code; test accuracy ${(100 * record.test_accuracy).toFixed(2)}%`,
      );
    });
}
