// Sweeps across processes on a real Redis (Debian's redis-server on a free loopback port) through BullMQ: a grid runs
// to completion with two workers; a worker killed with SIGKILL mid-job loses no job and stores none twice; a job that
// fails three times is reported failed with its error; a finished sweep reruns without work; an unreachable Redis is
// one line within seconds. Skipped, saying why, where redis-server is missing, except where
// TICKETLAB_REQUIRE_REDIS=1 (.ci/run installs redis-server and sets it).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { repoRoot, runCli } from './helpers/cli.js';

const redisBin = ['/usr/bin/redis-server', '/usr/sbin/redis-server'].find((f) => fs.existsSync(f));
if (!redisBin && process.env.TICKETLAB_REQUIRE_REDIS === '1')
  throw new Error('TICKETLAB_REQUIRE_REDIS=1 but no redis-server (apt-get install redis-server)');
const bin = path.join(repoRoot, 'bin', 'ticketlab.js');
let redis: ChildProcess | null = null;
let url = '';
let dir = '';

async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise((r) => s.close(r));
  return port;
}

before(async () => {
  if (!redisBin) return;
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tl-queue-'));
  const port = await freePort();
  redis = spawn(redisBin, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
    stdio: 'ignore',
  });
  url = `redis://127.0.0.1:${port}`;
  for (let i = 0; i < 50; i++) {
    const ok = await new Promise<boolean>((r) => {
      const c = net.connect(port, '127.0.0.1', () => (c.end(), r(true)));
      c.on('error', () => r(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('redis-server did not start');
});

after(() => {
  redis?.kill('SIGKILL');
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

function startWorker(root: string, extra: string[] = []): { child: ChildProcess; log: () => string } {
  const child = spawn(process.execPath, [bin, 'worker', '--queue', url, '--root', root, ...extra], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.setEncoding('utf8').on('data', (c: string) => (out += c));
  child.stderr!.setEncoding('utf8').on('data', (c: string) => (out += c));
  return { child, log: () => out };
}

function spec(name: string, text: string): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, text);
  return file;
}

/** result.json files of the train runs under root, by run directory. */
function results(root: string): string[] {
  return fs
    .readdirSync(root)
    .filter((d) => d.startsWith('train_'))
    .flatMap((d) =>
      fs
        .readdirSync(path.join(root, d))
        .filter((r) => r.startsWith('replicate_') && fs.existsSync(path.join(root, d, r, 'result.json'))),
    );
}

test('sweep on a queue: two workers run the grid; a rerun of the finished sweep does no work', async (t) => {
  if (!redisBin) return t.skip('no redis-server installed (apt-get install redis-server)');
  const root = path.join(dir, 'grid');
  const file = spec(
    'grid.yaml',
    'command: train\nflags:\n  model: mnist_lenet_40_20\n  steps: 100it\naxes:\n  lr: [0.001, 0.002, 0.003, 0.004]\n',
  );
  const workers = [startWorker(root), startWorker(root)];
  try {
    for (let i = 0; i < 300 && !workers.every((w) => /worker on/.test(w.log())); i++)
      await new Promise((r) => setTimeout(r, 100));
    const r = runCli(['--json', 'sweep', file, '--queue', url]);
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(
      (({ done, failed, waiting, active }) => ({ done, failed, waiting, active }))(r.json<Record<string, number>>()),
      { done: 4, failed: 0, waiting: 0, active: 0 },
    );
    assert.equal(results(root).length, 4);
    await new Promise((r) => setTimeout(r, 300)); // spawnSync held the event loop: read the workers' output now
    assert.ok(
      workers.every((w) => /done: train/.test(w.log())),
      `both workers took jobs: ${workers.map((w) => w.log()).join(' || ')}`,
    );
    const records = fs.readFileSync(path.join(root, 'sweeps', 'jobs.jsonl'), 'utf8');
    const again = runCli(['--json', 'sweep', file, '--queue', url]);
    assert.equal(again.status, 0, again.stderr);
    assert.equal(again.json<{ done: number }>().done, 4);
    assert.equal(fs.readFileSync(path.join(root, 'sweeps', 'jobs.jsonl'), 'utf8'), records, 'no job ran again');
  } finally {
    for (const w of workers) w.child.kill('SIGINT');
  }
});

test('sweep on a queue: a worker killed mid-job loses no job and stores none twice', async (t) => {
  if (!redisBin) return t.skip('no redis-server installed (apt-get install redis-server)');
  const root = path.join(dir, 'kill');
  const file = spec(
    'kill.yaml',
    'command: train\nflags:\n  model: mnist_lenet_300_100\n  steps: 4000it\naxes:\n  lr: [0.001, 0.002]\n',
  );
  const first = startWorker(root, ['--lease', '2']);
  let second: ReturnType<typeof startWorker> | null = null;
  try {
    assert.equal(runCli(['sweep', file, '--queue', url, '--detach']).status, 0);
    for (let i = 0; i < 300 && !/start: train/.test(first.log()); i++) await new Promise((r) => setTimeout(r, 100));
    await new Promise((r) => setTimeout(r, 1500)); // well into the job
    first.child.kill('SIGKILL');
    second = startWorker(root, ['--lease', '2']);
    const r = runCli(['--json', 'sweep', 'status', file, '--queue', url]);
    assert.equal(r.status, 0, r.stderr);
    const follow = spawnSync(process.execPath, [bin, '--json', 'sweep', file, '--queue', url], { encoding: 'utf8' });
    assert.equal(follow.status, 0, follow.stderr);
    const s = JSON.parse(follow.stdout.trim().split('\n').pop()!) as { done: number; failed: number };
    assert.deepEqual([s.done, s.failed], [2, 0]);
    assert.equal(results(root).length, 2, 'one stored run per job');
    const done = fs
      .readFileSync(path.join(root, 'sweeps', 'jobs.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { status: string });
    assert.deepEqual(
      done.map((d) => d.status),
      ['done', 'done'],
    );
  } finally {
    first.child.kill('SIGKILL');
    second?.child.kill('SIGINT');
  }
});

test('sweep on a queue: a job failing three times is reported failed with its error', async (t) => {
  if (!redisBin) return t.skip('no redis-server installed (apt-get install redis-server)');
  const root = path.join(dir, 'fail');
  const file = spec(
    'fail.yaml',
    'command: train\nflags:\n  model: mnist_lenet_40_20\naxes:\n  steps: [100it, 1.5it]\n',
  );
  const w = startWorker(root);
  try {
    const r = runCli(['sweep', file, '--queue', url]);
    assert.notEqual(r.status, 0);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    assert.match(r.stderr, /1 of 2 jobs failed \(first: .*steps/);
    const s = runCli(['sweep', 'status', file, '--queue', url]);
    assert.match(s.stdout, /1 done, 1 failed/);
    assert.match(s.stdout, /failed after 3 attempts: \{"steps":"1\.5it"\}/);
  } finally {
    w.child.kill('SIGINT');
  }
});

test('sweep on a queue: an unreachable Redis is one line within seconds, and nothing runs', async (t) => {
  if (!redisBin) return t.skip('no redis-server installed (apt-get install redis-server)');
  const port = await freePort();
  const file = spec('none.yaml', 'command: train\nflags:\n  model: mnist_lenet_40_20\n');
  const t0 = Date.now();
  const r = runCli(['sweep', file, '--queue', `redis://127.0.0.1:${port}`, '--root', path.join(dir, 'none')]);
  assert.notEqual(r.status, 0);
  assert.ok(Date.now() - t0 < 10_000, 'within seconds');
  assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  assert.match(r.stderr, /cannot reach Redis at redis:\/\/127\.0\.0\.1:\d+ \(ECONNREFUSED\)/);
  assert.ok(!fs.existsSync(path.join(dir, 'none')));
  const bad = runCli(['sweep', file, '--queue', 'http://x']);
  assert.match(bad.stderr, /--queue must be a redis:\/\/HOST:PORT URL/);
});
