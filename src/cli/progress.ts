// A progress bar with ETA on an interactive terminal; silent when output is piped or --json is set.
import cliProgress from 'cli-progress';

export interface Progress {
  /** Moves to `done` of `total` (the total may change as work is discovered), with an optional status text. */
  report(done: number, total: number, info?: string): void;
  stop(): void;
}

const silent: Progress = { report() {}, stop() {} };

export function progressBar(label: string, total: number, enabled: boolean): Progress {
  if (!enabled || !process.stderr.isTTY) return silent;
  const bar = new cliProgress.SingleBar(
    {
      stream: process.stderr,
      format: `${label} |{bar}| {percentage}% | {value}/{total} | {info} | ETA {eta_formatted}`,
      hideCursor: true,
      etaBuffer: 200,
      fps: 10,
    },
    cliProgress.Presets.shades_classic,
  );
  bar.start(total, 0, { info: '' });
  return {
    report: (done, total, info) => {
      bar.setTotal(total);
      bar.update(done, info === undefined ? {} : { info });
    },
    stop: () => bar.stop(),
  };
}

/** Runs `fn` with a progress bar that is stopped however `fn` ends. */
export async function withProgress<T>(label: string, enabled: boolean, fn: (bar: Progress) => Promise<T>): Promise<T> {
  const bar = progressBar(label, 1, enabled);
  try {
    return await fn(bar);
  } finally {
    bar.stop();
  }
}
