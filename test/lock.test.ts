// The run lock across processes: refused while held, held while its holder's event loop is blocked, taken over
// at once when the holder is killed, and machines sharing a filesystem are kept apart by the heartbeat.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawn, type ChildProcess } from 'node:child_process';
import { acquireLock, withLock } from '../src/store/lock.js';
import { UserError } from '../src/util/errors.js';

const tmpRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'ticketlab-lock-'));
after(() => fs.rmSync(tmpRoot, { recursive: true, force: true }));
let dirCount = 0;
const freshDir = (): string => fs.mkdtempSync(path.join(tmpRoot, `d${dirCount++}-`));
const lockUrl = new URL('../src/store/lock.js', import.meta.url).href;
const ownerFile = (dir: string) => path.join(dir, '.lock.pid');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A child running `body` (ES module code with acquireLock imported); resolves once it prints `ready`. */
async function startChild(
  body: string,
  ready: string,
): Promise<{ child: ChildProcess; out: () => string; exit: Promise<number | null> }> {
  const child = spawn(
    process.execPath,
    ['--input-type=module', '-e', `import { acquireLock } from ${JSON.stringify(lockUrl)};\n${body}`],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let out = '';
  child.stdout!.on('data', (b) => (out += b));
  child.stderr!.on('data', (b) => (out += b));
  const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', () => out.includes(ready) && resolve());
    void exit.then((c) => reject(new Error(`child exited early with ${c}: ${out}`)));
  });
  return { child, out: () => out, exit };
}

const inUse = (dir: string, who: string) => (err: Error) =>
  err instanceof UserError && err.message === `run ${dir} is in use by another ticketlab process (${who})`;

describe('run lock', () => {
  test('another process is refused while the lock is held, and gets it after release', async () => {
    const dir = freshDir();
    const lock = await acquireLock(dir);
    const tryIt = `try { await (await acquireLock(${JSON.stringify(dir)})).release(); console.log('acquired'); } catch (e) { console.log(e.message); }`;
    const refused = await startChild(tryIt, '\n');
    await refused.exit;
    assert.equal(refused.out().trim(), `run ${dir} is in use by another ticketlab process (pid ${process.pid})`);
    await lock.release();
    await lock.release(); // idempotent
    assert.equal(fs.existsSync(ownerFile(dir)), false);
    const ok = await startChild(tryIt, '\n');
    await ok.exit;
    assert.equal(ok.out().trim(), 'acquired');
  });

  test('a second acquire in the same process is refused; withLock releases even when fn throws', async () => {
    const dir = freshDir();
    await assert.rejects(
      withLock(dir, async (lock) => {
        lock.assertHeld();
        await assert.rejects(acquireLock(dir), {
          message: `run ${dir} is already locked by this process (pid ${process.pid})`,
        });
        throw new Error('boom');
      }),
      /boom/,
    );
    assert.equal(await withLock(dir, () => 7), 7);
  });

  test('a holder whose event loop is blocked far past the old 2 s staleness keeps the lock', async () => {
    const dir = freshDir();
    const holder = await startChild(
      `const lock = await acquireLock(${JSON.stringify(dir)}, { staleMs: 2000, updateMs: 500 });
       console.log('locked');
       const until = Date.now() + 5000;
       while (Date.now() < until); // one long synchronous computation, like evaluating VGG-16
       lock.assertHeld();
       console.log('still held');
       await lock.release();`,
      'locked',
    );
    const beat0 = fs.statSync(ownerFile(dir)).mtimeMs;
    let attempts = 0;
    const t0 = Date.now();
    while (Date.now() - t0 < 4000) {
      await assert.rejects(acquireLock(dir, { staleMs: 2000 }), inUse(dir, `pid ${holder.child.pid}`));
      attempts++;
      await sleep(250);
    }
    // The heartbeat comes from a worker thread, so it went on while the holder's main thread was blocked.
    assert.ok(fs.statSync(ownerFile(dir)).mtimeMs > beat0, 'no heartbeat while the main thread was blocked');
    assert.equal(await holder.exit, 0, holder.out());
    assert.match(holder.out(), /still held/);
    assert.ok(attempts >= 10);
    await (await acquireLock(dir)).release();
  });

  test('the lock of a holder killed with SIGKILL is taken over at once', async () => {
    const dir = freshDir();
    const holder = await startChild(
      `await acquireLock(${JSON.stringify(dir)}); console.log('locked'); setInterval(() => {}, 1000);`,
      'locked',
    );
    holder.child.kill('SIGKILL');
    await holder.exit;
    const t0 = Date.now();
    const lock = await acquireLock(dir);
    assert.ok(Date.now() - t0 < 1000, `takeover took ${Date.now() - t0} ms`);
    assert.equal(fs.readFileSync(ownerFile(dir), 'utf8').split('\n')[0], String(process.pid));
    lock.assertHeld();
    await lock.release();
  });

  test('a holder on another machine is respected while its heartbeat is fresh, and taken over once stale', async () => {
    const dir = freshDir();
    fs.writeFileSync(ownerFile(dir), '4242\nother-machine\n');
    await assert.rejects(
      acquireLock(dir, { staleMs: 5000 }),
      (err: Error) =>
        err instanceof UserError &&
        /pid 4242 on host other-machine, seen \d+ s ago; file locks here do not reach across machines/.test(
          err.message,
        ),
    );
    const old = new Date(Date.now() - 10_000);
    fs.utimesSync(ownerFile(dir), old, old);
    const lock = await acquireLock(dir, { staleMs: 5000 });
    assert.equal(fs.readFileSync(ownerFile(dir), 'utf8'), `${process.pid}\n${os.hostname()}\n`);
    await lock.release();
  });

  test('a lock whose file or owner record is removed behind its back reports itself lost', async () => {
    const dir = freshDir();
    const lock = await acquireLock(dir);
    assert.equal(lock.compromised, null);
    fs.rmSync(ownerFile(dir));
    assert.throws(() => lock.assertHeld(), /lock was lost .*\.lock\.pid now names pid unknown/);
    await lock.release();
    const again = await acquireLock(dir);
    fs.rmSync(path.join(dir, '.lock'));
    assert.throws(() => again.assertHeld(), /lock was lost .*was removed or replaced/);
    await again.release();
  });

  test('a lock directory of an older ticketlab: refused while fresh, removed once stale', async () => {
    const dir = freshDir();
    fs.mkdirSync(path.join(dir, '.lock'));
    await assert.rejects(acquireLock(dir), /in use by an older ticketlab process/);
    const old = new Date(Date.now() - 60_000);
    fs.utimesSync(path.join(dir, '.lock'), old, old);
    const lock = await acquireLock(dir);
    assert.ok(fs.statSync(path.join(dir, '.lock')).isFile());
    await lock.release();
  });
});
