// Temp files of interrupted atomic writes: removed once their writer is gone, kept while it may still rename them.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawn } from 'node:child_process';
import { removeStaleTempFiles } from '../src/store/stale-temp.js';
import { tempPathFor, tempWriterPid } from '../src/store/atomic.js';
import { processStartMs } from '../src/store/process-alive.js';

const tmpRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'ticketlab-leftovers-'));
after(() => fs.rmSync(tmpRoot, { recursive: true, force: true }));
let n = 0;
const freshDir = (): string => fs.mkdtempSync(path.join(tmpRoot, `d${n++}-`));
const atomicUrl = new URL('../src/store/atomic.js', import.meta.url).href;

/** A child that opens a temp file for `target` the way writeFileAtomic does, writes half of it, and waits. */
async function writerMidWrite(target: string) {
  const code = `import * as fs from 'node:fs';
    import { tempPathFor } from ${JSON.stringify(atomicUrl)};
    const tmp = tempPathFor(${JSON.stringify(target)});
    const fd = fs.openSync(tmp, 'wx');
    fs.writeSync(fd, 'half of a checkpoint');
    console.log(tmp);
    setInterval(() => {}, 1000);`;
  const child = spawn(process.execPath, ['--input-type=module', '-e', code], { stdio: ['ignore', 'pipe', 'inherit'] });
  const tmp = await new Promise<string>((resolve) => child.stdout.once('data', (b) => resolve(String(b).trim())));
  const exit = new Promise((resolve) => child.on('exit', resolve));
  return { child, tmp, kill: async () => (child.kill('SIGKILL'), await exit) };
}

test('temp names carry the writer pid', () => {
  const name = path.basename(tempPathFor('/x/ckpt.safetensors'));
  assert.equal(tempWriterPid(name), process.pid);
  assert.equal(tempWriterPid('ckpt.safetensors'), null);
  assert.equal(tempWriterPid('.a.0.0123456789ab.tmp'), null);
});

test('a writer killed with -9 mid-write leaves a temp file that is removed; live writers and other files are kept', async () => {
  const dir = freshDir();
  const sub = path.join(dir, 'level_1');
  fs.mkdirSync(sub);
  fs.writeFileSync(path.join(dir, 'ckpt.safetensors'), 'the previous complete file');
  const dead = await writerMidWrite(path.join(sub, 'ckpt.safetensors'));
  const alive = await writerMidWrite(path.join(dir, 'mask.safetensors'));
  const mine = tempPathFor(path.join(dir, 'result.json'));
  fs.writeFileSync(mine, '{');
  try {
    await dead.kill();
    assert.deepEqual(removeStaleTempFiles(dir), [], 'not recursive: the subfolder is left alone');
    assert.deepEqual(removeStaleTempFiles(dir, { recursive: true, minAgeMs: 60_000 }), [], 'younger than minAgeMs');
    assert.deepEqual(removeStaleTempFiles(dir, { recursive: true }), [dead.tmp]);
    assert.equal(fs.existsSync(alive.tmp), true);
    assert.equal(fs.existsSync(mine), true);
    assert.equal(fs.readFileSync(path.join(dir, 'ckpt.safetensors'), 'utf8'), 'the previous complete file');
  } finally {
    await alive.kill();
  }
  assert.deepEqual(removeStaleTempFiles(dir), [alive.tmp]);
  assert.deepEqual(removeStaleTempFiles(path.join(dir, 'missing')), []);
});

test(
  'process start times agree with our own uptime',
  { skip: processStartMs(process.pid) === null && 'no /proc' },
  () => {
    const started = Date.now() - process.uptime() * 1000;
    assert.ok(Math.abs(processStartMs(process.pid)! - started) < 1500);
  },
);

test(
  'a temp file whose pid now belongs to a newer process is stale (pid reuse)',
  { skip: processStartMs(process.pid) === null && 'no /proc' },
  async () => {
    const dir = freshDir();
    const other = await writerMidWrite(path.join(freshDir(), 'x'));
    try {
      const file = path.join(dir, `.ckpt.safetensors.${other.child.pid}.0123456789ab.tmp`);
      fs.writeFileSync(file, 'written long before that process started');
      const hourAgo = new Date(Date.now() - 3_600_000);
      fs.utimesSync(file, hourAgo, hourAgo);
      assert.deepEqual(removeStaleTempFiles(dir), [file]);
    } finally {
      await other.kill();
    }
  },
);
