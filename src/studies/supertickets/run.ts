// One seed of the SuperTickets study: every method at every budget on MNIST, then the transfers to Fashion-MNIST. Each
// is an ordinary `ticketlab supertickets` run, stored and found again, so a rerun trains only what is missing (and a
// run stopped mid-way resumes from its last epoch). What it measures is read back from the stored results.
import path from 'node:path';
import {
  runSuperTickets,
  SUPERTICKET_DEFAULTS,
  type SuperTicketResult,
  type SuperTicketSettings,
} from '../../supertickets/run.js';
import { STUDY_METHODS, validateSuperTicketsStudy, type SuperTicketsStudySettings } from './settings.js';
import type { SuperTicketsSeedLine, StudyRun } from './study-data.js';

export interface SuperTicketsRunOptions {
  settings: SuperTicketsStudySettings;
  root: string;
  signal?: AbortSignal;
  onProgress?: (what: string, done: number, total: number) => void;
}

function line(r: SuperTicketResult): StudyRun {
  return {
    run: r.run,
    test_accuracy: r.test_accuracy,
    flops: r.flops,
    dense_flops: r.dense_flops,
    params: r.params,
    density: r.density,
    channels_cut: r.channels_cut,
    branches: r.architecture.blocks.map((b) => b.branches.map((x) => x.hidden)),
    seconds: r.seconds,
  };
}

export async function runSuperTicketsSeed(o: SuperTicketsRunOptions): Promise<SuperTicketsSeedLine> {
  const s = o.settings;
  validateSuperTicketsStudy(s);
  const base: SuperTicketSettings = {
    ...SUPERTICKET_DEFAULTS,
    dataset: 'mnist',
    epochs: s.epochs,
    examples: s.examples,
    l1: s.l1,
    threshold: s.threshold,
    seed: s.seed,
  };
  const total = s.budgets.length * STUDY_METHODS.length + 5;
  let done = 0;
  const run = async (what: string, settings: SuperTicketSettings) => {
    const r = await runSuperTickets({
      settings,
      root: o.root,
      signal: o.signal,
      onStep: (step, steps) => o.onProgress?.(what, done + step / steps, total),
    });
    o.onProgress?.(what, ++done, total);
    return r;
  };
  const search = [];
  const tickets = new Map<string, SuperTicketResult>();
  for (const budget of s.budgets)
    for (const m of STUDY_METHODS) {
      const r = await run(`${m.method} at ${budget}`, {
        ...base,
        targetRatio: budget,
        order: m.order,
        reactivation: m.reactivation,
      });
      search.push({ method: m.method, budget, ...line(r) });
      if (budget === s.transferBudget) tickets.set(m.method, r);
    }
  const fashion: SuperTicketSettings = { ...base, dataset: 'fashion_mnist', epochs: s.transferEpochs };
  const from = (method: string) => path.join(o.root, tickets.get(method)!.run, `seed_${s.seed}`);
  const transfer = [];
  for (const method of ['supertickets', 'search-then-prune', 'prune-then-search'] as const) {
    const r = await run(`${method} to Fashion-MNIST`, { ...fashion, transferFrom: from(method) });
    transfer.push({ kind: method, ...line(r) });
  }
  const reinit = await run('reinit control on Fashion-MNIST', {
    ...fashion,
    transferFrom: from('supertickets'),
    transferReinit: true,
  });
  transfer.push({ kind: 'supertickets-reinit' as const, ...line(reinit) });
  const direct = await run('search on Fashion-MNIST', {
    ...base,
    dataset: 'fashion_mnist',
    targetRatio: s.transferBudget,
  });
  transfer.push({ kind: 'direct-search' as const, ...line(direct) });
  return { kind: 'seed', seed: s.seed, search, transfer };
}
