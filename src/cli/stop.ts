// Ctrl-C and SIGTERM: the first asks long work to stop at its next safe point (a step boundary, after saving a
// checkpoint), the second exits at once. Work that finished stays stored either way.
let controller: AbortController | null = null;

export function stopSignal(): AbortSignal {
  if (controller) return controller.signal;
  const c = new AbortController();
  controller = c;
  const onSignal = (name: NodeJS.Signals) => {
    if (c.signal.aborted) {
      process.stderr.write(`\nticketlab: ${name} again: exiting now\n`);
      process.exit(130);
    }
    process.stderr.write(`\nticketlab: ${name}: stopping at the next safe point (again to exit now)\n`);
    c.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return c.signal;
}

/**
 * For a job a sweep started (TICKETLAB_STOP_WITH_PARENT=1): when the process that started it dies (a worker killed
 * with SIGKILL), stop at the next safe point as on Ctrl-C, instead of running on as an orphan beside the retry that
 * the queue hands to another worker.
 */
export function stopWithParent(): void {
  if (process.env.TICKETLAB_STOP_WITH_PARENT !== '1') return;
  const parent = process.ppid;
  const signal = stopSignal();
  setInterval(() => {
    if (process.ppid === parent) return;
    if (!signal.aborted) {
      process.stderr.write('\nticketlab: the sweep that started this job is gone: stopping at the next safe point\n');
      controller?.abort();
    }
  }, 1000).unref();
}
