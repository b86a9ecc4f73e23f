// Warnings: something was wrong but work goes on (a damaged checkpoint set aside). They go to stderr as one line
// each, so stdout stays machine-readable under --json.
export function warn(message: string): void {
  process.stderr.write(`ticketlab: warning: ${message}\n`);
}
