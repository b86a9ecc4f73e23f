// Output conventions: human-readable lines by default; with --json, machine-readable JSON lines on stdout
// (the last line is the command's result object).
export interface GlobalOptions {
  json?: boolean;
  debug?: boolean;
  threads?: number;
  gemm?: 'openblas' | 'fallback';
}

export function emit(opts: GlobalOptions, obj: Record<string, unknown>): void {
  if (opts.json) console.log(JSON.stringify(obj));
}

/** A line for humans (stderr when --json so stdout stays machine-readable). */
export function say(opts: GlobalOptions, line: string): void {
  if (opts.json) return;
  console.log(line);
}
