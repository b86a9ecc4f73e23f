// What a results page says about where and how long it ran comes from records taken at run time, never from
// prose: each session of a repro script (one invocation that trains something) records the machine, its wall time
// and the load average it saw (other work on the machine slows a run down; the load says how much there was).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { native } from '../engine/native.js';
import { markdownTable } from './table.js';

export interface MachineInfo {
  cpu: string;
  cores: number;
  /** GEMM backend in use and the BLAS build it came from. */
  gemm: string;
  blas_config: string;
  node: string;
  platform: string;
}

export interface SessionRecord {
  started: string;
  finished: string;
  wall_seconds: number;
  /** Configurations (runs, levels, …) this session trained. */
  configurations: number;
  /** Processes the session ran at once. */
  processes: number;
  machine: MachineInfo;
  /** 1-minute load average sampled during the session. */
  load: { mean: number; max: number; samples: number };
}

export function machineInfo(): MachineInfo {
  const n = native.info();
  return {
    cpu: os.cpus()[0]?.model ?? 'unknown',
    cores: os.cpus().length,
    gemm: n.gemm,
    blas_config: n.gemm === 'openblas' ? n.blasConfig : '',
    node: process.versions.node,
    platform: `${process.platform}-${process.arch}`,
  };
}

/**
 * Starts timing a session and sampling the load average, every `sampleMs` from a timer and whenever `sample` is
 * called (a process busy with synchronous compute gives the timer no turn). `finish` returns the record.
 */
export function startSession(
  processes = 1,
  sampleMs = 30_000,
): { sample(): void; finish(configurations: number): SessionRecord } {
  const startedAt = Date.now();
  const loads: number[] = [os.loadavg()[0]!];
  let last = startedAt;
  const sample = () => {
    if (Date.now() - last < sampleMs) return;
    last = Date.now();
    loads.push(os.loadavg()[0]!);
  };
  const timer = setInterval(sample, sampleMs);
  timer.unref();
  return {
    sample,
    finish(configurations) {
      clearInterval(timer);
      loads.push(os.loadavg()[0]!);
      const finishedAt = Date.now();
      return {
        started: new Date(startedAt).toISOString(),
        finished: new Date(finishedAt).toISOString(),
        wall_seconds: (finishedAt - startedAt) / 1000,
        configurations,
        processes,
        machine: machineInfo(),
        load: { mean: loads.reduce((a, b) => a + b, 0) / loads.length, max: Math.max(...loads), samples: loads.length },
      };
    },
  };
}

/** Appends a session to a JSON-lines file (created with its directory). */
export function appendSession(file: string, s: SessionRecord): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.appendFileSync(file, `${JSON.stringify(s)}\n`);
}

/** The sessions in a JSON-lines file; none when it does not exist. A line cut short by a crash is skipped. */
export function readSessions(file: string): SessionRecord[] {
  if (!fs.existsSync(file)) return [];
  const out: SessionRecord[] = [];
  for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    try {
      out.push(JSON.parse(line) as SessionRecord);
    } catch {
      /* interrupted append */
    }
  }
  return out;
}

/** 42 s, 3.5 min, 1.8 h. */
export function formatDuration(seconds: number): string {
  if (seconds >= 3600) return `${(seconds / 3600).toFixed(1)} h`;
  if (seconds >= 90) return `${(seconds / 60).toFixed(1)} min`;
  return `${seconds.toFixed(0)} s`;
}

/** One row per session: when, how long, how much, on what, under which load. */
export function sessionsTable(sessions: readonly SessionRecord[]): string {
  if (!sessions.length) return 'No session was recorded with these results.\n';
  const rows = sessions.map((s) => [
    s.started.replace(/\.\d+Z$/, 'Z'),
    formatDuration(s.wall_seconds),
    s.configurations,
    s.processes,
    s.machine.cpu,
    s.machine.cores,
    s.machine.blas_config ? `${s.machine.gemm} (${s.machine.blas_config})` : s.machine.gemm,
    `${s.load.mean.toFixed(1)} / ${s.load.max.toFixed(1)}`,
  ]);
  return markdownTable(
    ['started (UTC)', 'wall time', 'configurations', 'processes', 'CPU', 'cores', 'GEMM', 'load avg mean / max'],
    rows,
    ['left', 'right', 'right', 'right', 'left', 'right', 'left', 'right'],
  );
}
