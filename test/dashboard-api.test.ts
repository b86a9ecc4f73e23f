// The dashboard's HTTP API over a real root: a small lottery run, a damaged level, thousands of index rows and a
// run in progress. Read-only, ids resolved through the index (paths in requests find nothing), malformed queries are
// a 400 with a JSON error, a damaged run is a 422 while everything else still answers, and live progress arrives as
// server-sent events.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import http from 'node:http';
import { PNG } from 'pngjs';
import { createDashboard } from '../src/dashboard/server.js';
import { openIndex } from '../src/store/index-db.js';
import { PROGRESS_FILE } from '../src/store/progress-file.js';
import { runCli } from './helpers/cli.js';

let root = '';
let runId = '';
const json = (body: string) => JSON.parse(body) as Record<string, unknown>;

before(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'tl-dash-'));
  const r = runCli([
    ...['--json', 'lottery', '--model', 'mnist_lenet_300_100', '--levels', '2', '--steps', '100it'],
    ...['--branch', 'random_reinit', '--root', root],
  ]);
  assert.equal(r.status, 0, r.stderr);
  const index = openIndex(root);
  runId = index.listRuns({ kind: 'lottery' }).find((x) => x.id.endsWith('/main'))!.id;
  index.close();
});

after(() => fs.rmSync(root, { recursive: true, force: true }));

test('dashboard API: runs, a run, its experiment, curves, layers and mask pictures', async () => {
  const app = await createDashboard({ root });
  try {
    const runs = json((await app.inject('/api/runs')).body) as { total: number; runs: { id: string }[] };
    assert.equal(runs.total, 2, 'the trunk and the random_reinit branch');
    const one = await app.inject(`/api/run?id=${encodeURIComponent(runId)}`);
    assert.equal(one.statusCode, 200);
    const { levels } = json(one.body) as { levels: { level: number; density: number }[] };
    assert.deepEqual(
      levels.map((l) => l.level),
      [0, 1, 2],
    );
    assert.ok(levels[2]!.density < levels[1]!.density && levels[1]!.density < 1);
    const exp = json((await app.inject(`/api/experiment?id=${encodeURIComponent(runId)}`)).body) as {
      runs: { branch: string; levels: unknown[] }[];
    };
    assert.deepEqual(exp.runs.map((r) => r.branch).sort(), ['main', 'random_reinit']);
    const curve = json((await app.inject(`/api/curve?id=${encodeURIComponent(runId)}&level=1`)).body) as {
      curve: { step: number; test_accuracy: number }[];
    };
    assert.ok(curve.curve.length > 1 && curve.curve.at(-1)!.step === 100);
    const layers = json((await app.inject(`/api/layers?id=${encodeURIComponent(runId)}&level=2`)).body) as {
      layers: { name: string; shape: number[]; density: number }[];
    };
    assert.deepEqual(
      layers.layers.map((l) => l.name),
      ['fc1.weight', 'fc2.weight', 'fc3.weight'],
    );
    const png = await app.inject(`/api/mask.png?id=${encodeURIComponent(runId)}&level=2&layer=fc1.weight&against=1`);
    assert.equal(png.statusCode, 200);
    assert.equal(png.headers['content-type'], 'image/png');
    const image = PNG.sync.read(png.rawPayload);
    assert.deepEqual([image.height, image.width], [300, 784]);
    // Level 2 keeps a subset of level 1: dark (kept in both), red (pruned since) or white; never green.
    let red = 0;
    for (let i = 0; i < image.data.length; i += 4) {
      const [r, g] = [image.data[i]!, image.data[i + 1]!];
      assert.ok(!(g === 150 && r === 30), 'no weight is kept at level 2 that level 1 pruned');
      if (r === 215) red++;
    }
    assert.ok(Math.abs(red / (300 * 784) - 0.8 * 0.2) < 0.01, `fc1 loses 20% of its 80% between the levels: ${red}`);
    for (const asset of ['/', '/app.js', '/plots.js', '/app.css', '/vendor/vega-embed.min.js'])
      assert.equal((await app.inject(asset)).statusCode, 200, asset);
  } finally {
    await app.close();
  }
});

test('dashboard API: paths in requests find nothing; malformed queries are 400 with a JSON error', async () => {
  const app = await createDashboard({ root });
  try {
    for (const url of [
      '/../package.json',
      '/..%2F..%2Fetc%2Fpasswd',
      '/vendor/..%2F..%2Fpackage.json',
      '/%2Fetc%2Fpasswd',
      `/api/run?id=${encodeURIComponent('../../etc/passwd')}`,
      `/api/run?id=${encodeURIComponent(path.join(root, 'index.sqlite'))}`,
      `/api/curve?id=${encodeURIComponent(runId)}&level=7`,
      `/api/mask.png?id=${encodeURIComponent(runId)}&level=1&layer=${encodeURIComponent('../../mask')}`,
    ]) {
      const r = await app.inject(url);
      assert.equal(r.statusCode, 404, url);
      assert.equal(typeof json(r.body).error, 'string', url);
    }
    for (const url of [
      '/api/runs?page=0',
      '/api/runs?page=abc',
      '/api/runs?per_page=100000',
      '/api/runs?nonsense=1',
      '/api/runs?hparam=no-equals-sign',
      '/api/run',
      `/api/curve?id=${encodeURIComponent(runId)}&level=-1`,
      `/api/mask.png?id=${encodeURIComponent(runId)}&level=1`,
    ]) {
      const r = await app.inject(url);
      assert.equal(r.statusCode, 400, url);
      assert.match(String(json(r.body).error), /^bad request/, url);
    }
    for (const method of ['POST', 'PUT', 'DELETE'] as const)
      assert.equal((await app.inject({ method, url: `/api/run?id=${encodeURIComponent(runId)}` })).statusCode, 404);
  } finally {
    await app.close();
  }
});

test('dashboard API: a damaged level is a 422 naming it; the rest still answers', async () => {
  const app = await createDashboard({ root });
  const index = openIndex(root);
  const dir = (index.levels(runId)[1]!.data as { dir: string }).dir;
  index.close();
  const file = path.join(dir, 'result.json');
  const saved = fs.readFileSync(file);
  try {
    fs.writeFileSync(file, '{"curve": "broken');
    const r = await app.inject(`/api/curve?id=${encodeURIComponent(runId)}&level=1`);
    assert.equal(r.statusCode, 422);
    assert.match(String(json(r.body).error), /result\.json/);
    assert.equal((await app.inject(`/api/curve?id=${encodeURIComponent(runId)}&level=2`)).statusCode, 200);
    assert.equal((await app.inject('/api/runs')).statusCode, 200);
  } finally {
    fs.writeFileSync(file, saved);
    await app.close();
  }
});

test('dashboard API: thousands of runs come a page at a time, filtered by kind, status and hyperparameter', async () => {
  const big = fs.mkdtempSync(path.join(os.tmpdir(), 'tl-dash-big-'));
  const index = openIndex(big);
  for (let i = 0; i < 3000; i++)
    index.upsertRun({
      id: `train_${String(i).padStart(16, '0')}/replicate_0`,
      kind: i % 3 === 0 ? 'train' : 'lottery',
      model: 'mnist_lenet_300_100',
      dir: path.join(big, `run_${i}`),
      hparams: { 'training.lr': i % 2 === 0 ? 0.0012 : 0.1 },
      status: i % 100 === 0 ? 'failed' : 'done',
    });
  index.close();
  const app = await createDashboard({ root: big });
  try {
    const page = json((await app.inject('/api/runs?per_page=50&page=2')).body) as { total: number; runs: unknown[] };
    assert.equal(page.total, 3000);
    assert.equal(page.runs.length, 50);
    const failed = json((await app.inject('/api/runs?status=failed&kind=train')).body) as { total: number };
    assert.equal(failed.total, 10, 'i % 300 === 0');
    const lr = json((await app.inject(`/api/runs?hparam=${encodeURIComponent('training.lr=0.1')}`)).body) as {
      total: number;
    };
    assert.equal(lr.total, 1500);
  } finally {
    await app.close();
    fs.rmSync(big, { recursive: true, force: true });
  }
});

test('dashboard: live progress of a running run arrives as server-sent events, then its end', async () => {
  const index = openIndex(root);
  const run = index.getRun(runId)!;
  index.upsertRun({ ...run, status: 'running' });
  const progress = (done: number) =>
    fs.writeFileSync(
      path.join(run.dir, PROGRESS_FILE),
      JSON.stringify({
        done,
        total: 300,
        info: 'level 2 main',
        started: new Date().toISOString(),
        updated: new Date(Date.now() + done).toISOString(),
        eta_seconds: 12,
        pid: process.pid,
      }),
    );
  progress(100);
  const app = await createDashboard({ root, pollMs: 50 });
  try {
    const url = await app.listen({ host: '127.0.0.1', port: 0 });
    const events: { event: string; data: { id?: string; progress?: { done: number }; status?: string } }[] = [];
    const req = http.get(`${url}/api/events`);
    const res = await new Promise<http.IncomingMessage>((r) => req.on('response', r));
    assert.equal(res.headers['content-type'], 'text/event-stream; charset=utf-8');
    let buffer = '';
    const waitFor = (pred: (e: (typeof events)[number]) => boolean) =>
      new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no such event in ${JSON.stringify(events)}`)), 5000);
        const check = () => {
          if (events.some(pred)) {
            clearTimeout(timer);
            res.off('data', onData);
            resolve();
          }
        };
        const onData = () => check();
        res.on('data', onData);
        check();
      });
    res.setEncoding('utf8');
    res.on('data', (chunk: string) => {
      buffer += chunk;
      for (let i = buffer.indexOf('\n\n'); i >= 0; i = buffer.indexOf('\n\n')) {
        const block = buffer.slice(0, i);
        buffer = buffer.slice(i + 2);
        const event = /^event: (.*)$/m.exec(block)?.[1] ?? '';
        events.push({ event, data: JSON.parse(/^data: (.*)$/m.exec(block)?.[1] ?? '{}') });
      }
    });
    await waitFor((e) => e.event === 'progress' && e.data.id === runId && e.data.progress?.done === 100);
    progress(200);
    await waitFor((e) => e.event === 'progress' && e.data.progress?.done === 200);
    const again = openIndex(root);
    again.upsertRun({ ...run, status: 'done' });
    again.close();
    await waitFor((e) => e.event === 'status' && e.data.id === runId && e.data.status === 'done');
    req.destroy();
  } finally {
    fs.rmSync(path.join(run.dir, PROGRESS_FILE), { force: true });
    const restore = openIndex(root);
    restore.upsertRun({ ...run, status: 'done' });
    restore.close();
    index.close();
    await app.close();
  }
});

test('ticketlab serve: a missing root or a taken port is one clear line', async () => {
  const missing = runCli(['serve', '--root', path.join(root, 'no-such-root')]);
  assert.notEqual(missing.status, 0);
  assert.equal(missing.stderr.trim().split('\n').length, 1, missing.stderr);
  assert.match(missing.stderr, /no run root at/);
  const taken = http.createServer();
  await new Promise<void>((r) => taken.listen(0, '127.0.0.1', r));
  try {
    const port = (taken.address() as { port: number }).port;
    const r = runCli(['serve', '--root', root, '--port', String(port)]);
    assert.notEqual(r.status, 0);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    assert.match(r.stderr, new RegExp(`port ${port} is in use`));
  } finally {
    taken.close();
  }
});

test('dashboard API: study pages list the kinds present, with rows, plots and an error row for a damaged one', async () => {
  const studies = fs.mkdtempSync(path.join(os.tmpdir(), 'tl-dash-studies-'));
  try {
    const r = runCli([
      ...['--json', 'supertickets', '--epochs', '1', '--examples', '256', '--target-ratio', '0.1'],
      ...['--root', studies],
    ]);
    assert.equal(r.status, 0, r.stderr);
    const plant = runCli(['--json', 'plant', '--task', 'circle', '--depth', '5', '--width', '24', '--root', studies]);
    assert.equal(plant.status, 0, plant.stderr);
    const seek = runCli([
      ...['--json', 'seek', '--planted', plant.json<{ run: string }>().run, '--pruner', 'magnitude'],
      ...['--density', 'planted', '--no-prune-bias', '--steps', '1ep', '--root', studies],
    ]);
    assert.equal(seek.status, 0, seek.stderr);
    // A damaged grokking experiment: its page shows the error, the SuperTickets page is untouched.
    fs.mkdirSync(path.join(studies, 'grok_0123456789abcdef', 'seed_0', 'ticket'), { recursive: true });
    fs.writeFileSync(path.join(studies, 'grok_0123456789abcdef', 'seed_0', 'ticket', 'result.json'), '{"t_gen":');
    const app = await createDashboard({ root: studies });
    try {
      const list = json((await app.inject('/api/studies')).body) as { studies: { kind: string }[] };
      assert.deepEqual(list.studies.map((s) => s.kind).sort(), ['grok', 'planted', 'supertickets']);
      const planted = json((await app.inject('/api/study?kind=planted')).body) as {
        rows: { pruner: string; jaccard: number; precision: number; recall: number }[];
      };
      assert.equal(planted.rows.length, 1);
      assert.equal(planted.rows[0]!.pruner, 'magnitude');
      assert.equal(planted.rows[0]!.precision, planted.rows[0]!.recall, 'at the planted density');
      const st = json((await app.inject('/api/study?kind=supertickets')).body) as {
        rows: { method: string; test_accuracy: number; error?: string }[];
        plots: { spec: { data: { values: unknown[] } } }[];
      };
      assert.equal(st.rows.length, 1);
      assert.equal(st.rows[0]!.method, 'joint, reactivation implicit');
      assert.equal(st.plots[0]!.spec.data.values.length, 1);
      const grok = json((await app.inject('/api/study?kind=grok')).body) as { rows: { error?: string }[] };
      assert.equal(grok.rows.length, 1);
      assert.match(grok.rows[0]!.error ?? '', /result\.json/);
      assert.equal((await app.inject('/api/study?kind=nothing')).statusCode, 404);
      assert.equal((await app.inject('/api/study?kind=..%2F..')).statusCode, 400);
    } finally {
      await app.close();
    }
  } finally {
    fs.rmSync(studies, { recursive: true, force: true });
  }
});
