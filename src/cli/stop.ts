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
