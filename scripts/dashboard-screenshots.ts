// `npm run screenshots -- --root DIR [--run ID] [--out docs/dashboard]`: pictures of the dashboard's main pages for
// the README, taken in Debian's chromium (playwright-core) from a server over DIR: the runs page, a lottery run (the
// one given, or the trunk with the most levels), and its mask difference between its last two levels.
import path from 'node:path';
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';
import { chromium } from 'playwright-core';
import { createDashboard } from '../src/dashboard/server.js';
import { openIndex } from '../src/store/index-db.js';
import { UserError } from '../src/util/errors.js';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const opts = new Command('dashboard-screenshots')
  .requiredOption('--root <dir>', 'run root to show')
  .option('--run <id>', 'the lottery run to picture (default: the trunk with the most levels)')
  .option('--out <dir>', 'where the PNG files go', path.join(repo, 'docs', 'dashboard'))
  .parse()
  .opts<{ root: string; run?: string; out: string }>();

async function main(): Promise<void> {
  const index = openIndex(opts.root);
  const trunks = index.listRuns({ kind: 'lottery' }).filter((r) => r.id.endsWith('/main'));
  const run = opts.run ?? trunks.sort((a, b) => index.levels(b.id).length - index.levels(a.id).length)[0]?.id;
  index.close();
  if (!run) throw new UserError(`no lottery run in ${opts.root}: run one first`);
  const executable = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((f) => fs.existsSync(f));
  if (!executable) throw new UserError('no chromium at /usr/bin/chromium (apt-get install chromium)');
  const app = await createDashboard({ root: opts.root });
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  const browser = await chromium.launch({ executablePath: executable, args: ['--no-sandbox'] });
  try {
    fs.mkdirSync(opts.out, { recursive: true });
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    await page.goto(`${url}/#/runs`);
    await page.locator('table[data-testid=runs] tbody tr[data-run]').first().waitFor();
    await page.screenshot({ path: path.join(opts.out, 'runs.png') });
    await page.goto(`${url}/#/run?id=${encodeURIComponent(run)}`);
    await page.locator('[data-plot=accuracy] svg .mark-symbol.role-mark path').first().waitFor();
    await page.waitForFunction(() => {
      const i = document.querySelector<HTMLImageElement>('[data-testid=mask-image]');
      return i !== null && i.complete && i.naturalWidth > 0;
    });
    await page.waitForTimeout(500);
    await page.screenshot({ path: path.join(opts.out, 'run.png'), fullPage: true });
    const levels = await page.locator('[data-mask-level] option').count();
    if (levels > 1) {
      await page.selectOption('[data-mask-against]', String(levels - 2));
      await page.waitForTimeout(500);
      await page.locator('[data-testid=masks]').screenshot({ path: path.join(opts.out, 'mask-diff.png') });
    }
    console.error(`wrote runs.png, run.png${levels > 1 ? ', mask-diff.png' : ''} to ${opts.out} (run ${run})`);
  } finally {
    await browser.close();
    await app.close();
  }
}

main().catch((e: Error) => {
  console.error(`screenshots: ${e instanceof UserError ? e.message : (e.stack ?? e.message)}`);
  process.exit(1);
});
