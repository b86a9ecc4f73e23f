import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { accuracyPlot, earlyStopPlot, lineChart, logTicks } from '../src/report/ticket-plots.js';
import { compileSpec, renderSpec, writePlot } from '../src/report/render.js';
import { markdownTable, ticketTable } from '../src/report/table.js';
import { summarize, type TicketRow } from '../src/report/aggregate.js';
import { DataError } from '../src/util/errors.js';

// Two series, two replicates each, at 100% and 20% of weights remaining (made-up values).
const rows: TicketRow[] = [
  { series: 'winning ticket', replicate: 0, density: 1, testAccuracy: 0.98, earlyStopStep: 10000 },
  { series: 'winning ticket', replicate: 1, density: 1, testAccuracy: 0.96, earlyStopStep: 12000 },
  { series: 'winning ticket', replicate: 0, density: 0.2, testAccuracy: 0.99, earlyStopStep: 7000 },
  { series: 'winning ticket', replicate: 1, density: 0.2, testAccuracy: 0.97, earlyStopStep: 8000 },
  { series: 'random reinit', replicate: 0, density: 1, testAccuracy: 0.97, earlyStopStep: 11000 },
  { series: 'random reinit', replicate: 0, density: 0.2, testAccuracy: 0.9, earlyStopStep: 15000 },
  { series: 'random reinit', replicate: 1, density: 0.2, testAccuracy: 0.92, earlyStopStep: 16000 },
  { series: 'random reinit', replicate: 2, density: 0.2, testAccuracy: 0.94, earlyStopStep: 17001 },
];

function pngSize(png: Uint8Array): { width: number; height: number } {
  const view = new DataView(png.buffer, png.byteOffset, png.byteLength);
  // IHDR is the first chunk: 8-byte signature, 4-byte length, 'IHDR', then width and height.
  assert.equal(new TextDecoder().decode(png.subarray(12, 16)), 'IHDR');
  return { width: view.getUint32(16), height: view.getUint32(20) };
}

test('accuracy plot renders axis titles, series names and a PNG', async () => {
  const spec = accuracyPlot(rows, { title: 'Test plot' });
  const { svg, png } = await renderSpec(spec, { scale: 2 });
  for (const text of [
    'Percent of weights remaining',
    'Test accuracy (%)',
    'winning ticket',
    'random reinit',
    'Test plot',
  ]) {
    assert.ok(svg.includes(`>${text}</text>`), `SVG lacks text "${text}"`);
  }
  assert.match(svg, /font-family="DejaVu Sans, sans-serif"/);
  assert.match(svg, /min–max/); // the legend says what the band spans

  assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  const { width, height } = pngSize(png);
  const svgWidth = Number(/<svg[^>]*\swidth="([\d.]+)"/.exec(svg)?.[1]);
  const svgHeight = Number(/<svg[^>]*\sheight="([\d.]+)"/.exec(svg)?.[1]);
  assert.ok(svgWidth > 460 && svgHeight > 290, `svg ${svgWidth}x${svgHeight}`);
  assert.ok(Math.abs(width - 2 * svgWidth) <= 2 && Math.abs(height - 2 * svgHeight) <= 2, `png ${width}x${height}`);
});

test('percent axis is log-scaled, reversed, with 1-2-5 ticks', async () => {
  const vg = (await compileSpec(accuracyPlot(rows, { title: 't', spread: 'std' }))) as {
    scales: { name: string; type?: string; reverse?: boolean }[];
    axes: { scale: string; values?: number[] }[];
  };
  const x = vg.scales.find((s) => s.name === 'x');
  assert.equal(x?.type, 'log');
  assert.equal(x?.reverse, true);
  assert.deepEqual(vg.axes.find((a) => a.scale === 'x' && a.values)?.values, [100, 50, 20]);

  assert.deepEqual(logTicks(3.6, 100), [100, 50, 20, 10, 5]);
  assert.deepEqual(logTicks(0.3, 100), [100, 50, 20, 10, 5, 2, 1, 0.5]);
  // Too few 1-2-5 ticks in a narrow range: fall back to the levels themselves.
  assert.deepEqual(logTicks(51.3, 100, [100, 51.3]), [100, 51.3]);
});

test('plot data carries replicate mean and band (min–max or ±std)', () => {
  type Datum = { series: string; percent: number; mean: number; lo: number; hi: number; n: number };
  const data = (spec: ReturnType<typeof accuracyPlot>) => (spec as { data: { values: Datum[] } }).data.values;
  const reinit20 = (d: Datum[]) => d.find((v) => v.series === 'random reinit' && Math.abs(v.percent - 20) < 1e-9)!;

  const minmax = reinit20(data(accuracyPlot(rows, { title: 't' })));
  assert.ok(Math.abs(minmax.mean - 92) < 1e-9 && Math.abs(minmax.lo - 90) < 1e-9 && Math.abs(minmax.hi - 94) < 1e-9);
  const std = reinit20(data(accuracyPlot(rows, { title: 't', spread: 'std' })));
  assert.ok(Math.abs(std.lo - 90) < 1e-9 && Math.abs(std.hi - 94) < 1e-9, 'std of 90, 92, 94 is 2');
  assert.equal(std.n, 3);

  const stops = reinit20(data(earlyStopPlot(rows, { title: 't' })));
  assert.equal(stops.mean, 16000.333333333334);
});

test('summarize uses the sample standard deviation', () => {
  const s = summarize([2, 4, 4, 4, 5, 5, 7, 9]);
  assert.equal(s.mean, 5);
  assert.ok(Math.abs(s.std - Math.sqrt(32 / 7)) < 1e-12);
  assert.deepEqual([s.n, s.min, s.max], [8, 2, 9]);
  assert.equal(summarize([3]).std, 0);
});

test('ticketTable aggregates by series × density', () => {
  const lines = ticketTable(rows).trimEnd().split('\n');
  const cells = (line: string) =>
    line
      .slice(2, -2)
      .split(' | ')
      .map((c) => c.trim());
  assert.deepEqual(cells(lines[0]), [
    'Pm (%)',
    'winning ticket accuracy mean ± std (n)',
    'winning ticket early stop mean',
    'random reinit accuracy mean ± std (n)',
    'random reinit early stop mean',
  ]);
  assert.equal(lines.length, 4);
  // 100%: winning (98, 96) -> 97 ± sqrt(2) = 1.41; reinit has one replicate, so no std.
  assert.deepEqual(cells(lines[2]), ['100', '97.00 ± 1.41 (2)', '11000', '97.00 (1)', '11000']);
  // 20%: winning (99, 97); reinit (90, 92, 94) -> 92 ± 2, stops (15000, 16000, 17001) -> 16000.33.
  assert.deepEqual(cells(lines[3]), ['20.0', '98.00 ± 1.41 (2)', '7500', '92.00 ± 2.00 (3)', '16000']);
});

test('ticketTable marks levels a series did not run', () => {
  const partial = [
    ...rows,
    { series: 'random pruning', replicate: 0, density: 0.2, testAccuracy: 0.5, earlyStopStep: 1 },
  ];
  const last = ticketTable(partial).trimEnd().split('\n');
  assert.match(last[2], /\| +— \| +— \|$/);
  assert.match(last[3], /50\.00 \(1\) \| +1 \|$/);
});

test('bad rows are rejected with DataError', () => {
  const bad = (row: Partial<TicketRow>) => [{ ...rows[0], ...row }];
  assert.throws(() => accuracyPlot(bad({ density: 0 }), { title: 't' }), DataError);
  assert.throws(() => accuracyPlot(bad({ testAccuracy: 98 }), { title: 't' }), DataError);
  assert.throws(() => ticketTable([rows[0], rows[0]]), /duplicate row/);
  assert.throws(() => accuracyPlot([], { title: 't' }), DataError);
});

test('markdownTable escapes pipes, aligns and checks row length', () => {
  const md = markdownTable(
    ['name', 'value'],
    [
      ['a|b', 1.5],
      ['two\nlines', 10],
    ],
    ['left', 'right'],
  );
  assert.equal(
    md,
    ['| name      | value |', '| :-------- | ----: |', '| a\\|b      |   1.5 |', '| two lines |    10 |', ''].join(
      '\n',
    ),
  );
  assert.throws(() => markdownTable(['a', 'b'], [['only one']]), DataError);
});

test('lineChart keeps series order and uses a log x scale on request', async () => {
  const curve = [
    { iteration: 100, accuracy: 0.9, level: 100 },
    { iteration: 1000, accuracy: 0.95, level: 100 },
    { iteration: 100, accuracy: 0.85, level: 7 },
    { iteration: 1000, accuracy: 0.97, level: 7 },
  ];
  const spec = lineChart({
    rows: curve,
    x: 'iteration',
    y: 'accuracy',
    color: 'level',
    title: 'curves',
    xLog: true,
    xTitle: 'Iteration',
    yTitle: 'Test accuracy',
  });
  const vg = (await compileSpec(spec)) as { scales: { name: string; type?: string; domain?: unknown }[] };
  assert.equal(vg.scales.find((s) => s.name === 'x')?.type, 'log');
  assert.deepEqual(vg.scales.find((s) => s.name === 'color')?.domain, ['100', '7']);
  const options = { x: 'iteration', y: 'accuracy', color: 'level', title: 'c', xTitle: 'I', yTitle: 'A' };
  assert.throws(() => lineChart({ ...options, xLog: true, rows: [{ iteration: 0, accuracy: 1, level: 1 }] }), /log x/);
  assert.throws(() => lineChart({ ...options, rows: [{ iteration: 'x', accuracy: 1, level: 1 }] }), DataError);
});

test('writePlot writes both files and leaves no temp files', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'ticketlab-report-'));
  try {
    const { svgPath, pngPath } = await writePlot(
      join(dir, 'nested', 'fig1'),
      earlyStopPlot(rows, { title: 'Early stop', errorStyle: 'bars' }),
    );
    assert.deepEqual((await readdir(join(dir, 'nested'))).sort(), ['fig1.png', 'fig1.svg']);
    assert.match(await readFile(svgPath, 'utf8'), />Early-stop iteration<\/text>/);
    assert.deepEqual([...(await readFile(pngPath)).subarray(1, 4)], [...Buffer.from('PNG')]);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('rendering refuses to load remote data', async () => {
  await assert.rejects(renderSpec({ data: { url: 'https://example.com/data.json' }, mark: 'point' }), /offline/);
});
