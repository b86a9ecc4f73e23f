// The dashboard in a real browser (Debian's chromium driven by playwright-core; nothing downloaded): the runs page,
// a lottery run's accuracy plot with one point per level and series, a mask picture, and the live progress of a run
// started during the test. Skipped, saying why, where no chromium is installed, except where
// TICKETLAB_REQUIRE_BROWSER=1 (.ci/run installs chromium and sets it, so CI cannot pass without these tests).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { chromium, type Browser } from 'playwright-core';
import type { FastifyInstance } from 'fastify';
import { createDashboard } from '../src/dashboard/server.js';
import { repoRoot, runCli } from './helpers/cli.js';

const executable = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((f) => fs.existsSync(f));
if (!executable && process.env.TICKETLAB_REQUIRE_BROWSER === '1')
  throw new Error('TICKETLAB_REQUIRE_BROWSER=1 but no chromium at /usr/bin/chromium (apt-get install chromium)');
let root = '';
let app: FastifyInstance;
let url = '';
let browser: Browser;

before(async () => {
  if (!executable) return;
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'tl-browser-'));
  const r = runCli([
    ...['--json', 'lottery', '--model', 'mnist_lenet_300_100', '--levels', '2', '--steps', '100it'],
    ...['--branch', 'random_reinit', '--root', root],
  ]);
  assert.equal(r.status, 0, r.stderr);
  app = await createDashboard({ root, pollMs: 250 });
  url = await app.listen({ host: '127.0.0.1', port: 0 });
  browser = await chromium.launch({ executablePath: executable, args: ['--no-sandbox'] });
});

after(async () => {
  await browser?.close();
  await app?.close();
  if (root) fs.rmSync(root, { recursive: true, force: true });
});

test('dashboard in a browser: runs, a lottery run, its accuracy plot and a mask', async (t) => {
  if (!executable) return t.skip('no chromium installed (apt-get install chromium)');
  const page = await browser.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`${url}/#/runs`);
  const rows = page.locator('table[data-testid=runs] tbody tr[data-run]');
  await rows.first().waitFor();
  assert.equal(await rows.count(), 2);
  await page.locator('a', { hasText: /\/main$/ }).click();
  await page.locator('[data-testid=run-title]').waitFor();
  // Accuracy against weights remaining: the trunk's levels 0–2 and the control's levels 1–2, one point each.
  const points = page.locator('[data-plot=accuracy] svg .mark-symbol.role-mark path');
  await points.first().waitFor();
  assert.equal(await points.count(), 5);
  const img = page.locator('[data-testid=mask-image]');
  await page.waitForFunction(() => {
    const i = document.querySelector<HTMLImageElement>('[data-testid=mask-image]');
    return i !== null && i.complete && i.naturalWidth > 0;
  });
  assert.deepEqual(await img.evaluate((i: HTMLImageElement) => [i.naturalWidth, i.naturalHeight]), [784, 300]);
  // Against another level: the picture changes (pruned-since weights turn red).
  const before = await img.getAttribute('src');
  await page.selectOption('[data-mask-against]', '1');
  assert.notEqual(await img.getAttribute('src'), before);
  assert.deepEqual(errors, []);
  await page.close();
});

test('dashboard in a browser: a run started during the test shows live progress, then its end', async (t) => {
  if (!executable) return t.skip('no chromium installed (apt-get install chromium)');
  const page = await browser.newPage();
  await page.goto(`${url}/#/runs`);
  await page.locator('table[data-testid=runs] tbody tr[data-run]').first().waitFor();
  const child = spawn(
    process.execPath,
    [
      path.join(repoRoot, 'bin', 'ticketlab.js'),
      ...['train', '--model', 'mnist_lenet_300_100', '--steps', '6000it', '--root', root, '--json'],
    ],
    { stdio: 'ignore' },
  );
  try {
    // The new run appears with a progress bar pushed by the server, and its status turns to done when it ends.
    const running = page.locator('tr[data-run^="train_"] .progress .bar');
    await running.waitFor({ timeout: 60_000 });
    const status = page.locator('tr[data-run^="train_"] .status');
    await page.waitForFunction(
      () => document.querySelector('tr[data-run^="train_"] .status')?.textContent === 'done',
      undefined,
      { timeout: 300_000 }, // generous: only a failing run waits it out, and a loaded machine trains slowly
    );
    assert.equal(await status.textContent(), 'done');
  } finally {
    child.kill();
    await page.close();
  }
});
