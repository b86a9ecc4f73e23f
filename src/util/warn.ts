// Warnings: something was wrong but work goes on (a damaged checkpoint set aside, a stale temp file removed). They go
// to stderr as one line each, so stdout stays machine-readable under --json; tests may capture them instead.
let sink: (line: string) => void = (line) => process.stderr.write(`ticketlab: warning: ${line}\n`);

export function warn(message: string): void {
  sink(message);
}

/** Replaces where warnings go (returns the previous sink). */
export function setWarningSink(next: (line: string) => void): (line: string) => void {
  const prev = sink;
  sink = next;
  return prev;
}
