// A progress bar with ETA on an interactive terminal; silent when output is piped or --json is set.
import cliProgress from 'cli-progress';

export interface Progress {
  update(value: number, payload?: Record<string, string>): void;
  setTotal?(total: number): void;
  stop(): void;
}

const silent: Progress = { update() {}, stop() {} };

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
    update: (v, payload) => bar.update(v, payload ?? {}),
    setTotal: (t) => bar.setTotal(t),
    stop: () => bar.stop(),
  };
}
