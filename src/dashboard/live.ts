// Live progress for the dashboard's pages: one poller reads the running runs' progress files (and notices runs
// that stopped running) once per interval while anyone listens, and pushes what changed to every subscriber as
// server-sent events, so no browser ever polls the disk.
import type { DashboardStore } from './store.js';

type Send = (event: string, data: unknown) => void;

export class LiveProgress {
  private readonly subscribers = new Set<Send>();
  private timer: NodeJS.Timeout | null = null;
  /** Last state sent per run id: its progress file's `updated` stamp, or its status once it stopped. */
  private readonly seen = new Map<string, string>();

  constructor(
    private readonly store: DashboardStore,
    private readonly intervalMs: number,
  ) {}

  subscribe(send: Send): () => void {
    this.subscribers.add(send);
    send('hello', { interval_ms: this.intervalMs });
    // A new page gets the current state at once, not at the next change.
    for (const r of this.safe(() => this.store.running(), []))
      send('progress', { id: r.id, status: r.status, progress: this.store.progressOf(r) });
    this.timer ??= setInterval(() => this.poll(), this.intervalMs);
    return () => {
      this.subscribers.delete(send);
      if (this.subscribers.size === 0) this.stop();
    };
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  private broadcast(event: string, data: unknown): void {
    for (const send of this.subscribers) send(event, data);
  }

  private safe<T>(fn: () => T, fallback: T): T {
    try {
      return fn();
    } catch (e) {
      this.broadcast('error', { error: (e as Error).message });
      return fallback;
    }
  }

  private poll(): void {
    const running = this.safe(() => this.store.running(), null);
    if (!running) return;
    const now = new Set(running.map((r) => r.id));
    for (const r of running) {
      const p = this.store.progressOf(r);
      const stamp = p?.updated ?? 'running';
      if (this.seen.get(r.id) === stamp) continue;
      this.seen.set(r.id, stamp);
      this.broadcast('progress', { id: r.id, status: r.status, progress: p });
    }
    // Runs that were running at the last look and are not now: tell their final status.
    for (const id of [...this.seen.keys()])
      if (!now.has(id)) {
        this.seen.delete(id);
        const r = this.safe(() => this.store.run(id).run, null);
        this.broadcast('status', { id, status: r?.status ?? 'unknown' });
      }
  }
}
