// The dashboard's page: a hash router over three views (runs, one run, compare), each built from the JSON API,
// with live progress pushed by the server (server-sent events at /api/events). A view that fails shows an error
// card; the rest of the page keeps working.
import { againstDensity, curves, layerBars } from './plots.js';

const main = document.getElementById('main');
const pct = (x, d = 2) => (x === null || x === undefined ? '—' : `${(100 * x).toFixed(d)}%`);
const esc = (s) => String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const duration = (s) =>
  s === null || s === undefined
    ? '—'
    : s < 90
      ? `${Math.round(s)} s`
      : s < 5400
        ? `${Math.round(s / 60)} min`
        : `${(s / 3600).toFixed(1)} h`;

async function api(path) {
  const res = await fetch(path);
  const body = await res.json().catch(() => ({ error: `${res.status} ${res.statusText}` }));
  if (!res.ok) throw new Error(body.error ?? `${res.status}`);
  return body;
}

function el(html) {
  const t = document.createElement('template');
  t.innerHTML = html.trim();
  return t.content.firstElementChild;
}

function errorCard(title, err) {
  return el(`<div class="card error" data-testid="error"><h2>${esc(title)}</h2>${esc(err.message ?? err)}</div>`);
}

/** Renders a Vega-Lite spec into `node`, or an error card in its place. */
async function plot(node, spec) {
  try {
    await vegaEmbed(node, spec, {
      renderer: 'svg',
      actions: { export: true, source: false, compiled: false, editor: false },
    });
  } catch (e) {
    node.replaceWith(errorCard('plot', e));
  }
}

function progressCell(p) {
  if (!p) return '';
  const frac = p.total > 0 ? p.done / p.total : 0;
  return `<span class="bar"><span style="width:${(100 * frac).toFixed(1)}%"></span></span> ${pct(frac, 0)}
    <span class="muted">${esc(p.info)} · ETA ${duration(p.eta_seconds)}</span>`;
}

// Live progress: one EventSource for the page; views register what to update.
const liveHandlers = new Set();
function startLive() {
  const dot = document.getElementById('live');
  const source = new EventSource('/api/events');
  source.addEventListener('hello', () => dot.classList.add('on'));
  source.onerror = () => dot.classList.remove('on');
  for (const kind of ['progress', 'status'])
    source.addEventListener(kind, (e) => {
      const data = JSON.parse(e.data);
      for (const h of liveHandlers) h(kind, data);
    });
}

function params() {
  const [, query = ''] = location.hash.split('?');
  return new URLSearchParams(query);
}

// ---- Runs -------------------------------------------------------------------------------------------------------

async function runsView() {
  const p = params();
  const page = Number(p.get('page') ?? 1);
  const query = new URLSearchParams();
  for (const k of ['kind', 'model', 'status', 'q', 'hparam']) if (p.get(k)) query.set(k, p.get(k));
  query.set('page', String(page));
  query.set('per_page', '50');
  const data = await api(`/api/runs?${query}`);
  const option = (v, cur) => `<option value="${esc(v)}" ${v === cur ? 'selected' : ''}>${esc(v)}</option>`;
  const select = (name, values) =>
    `<label>${name}<select name="${name}"><option value="">all</option>${values.map((v) => option(v, p.get(name))).join('')}</select></label>`;
  const view = el(`<div>
    <form class="filters" data-testid="filters">
      ${select('kind', data.facets.kinds)} ${select('model', data.facets.models)} ${select('status', data.facets.statuses)}
      <label>id contains<input name="q" value="${esc(p.get('q') ?? '')}"></label>
      <label>hyperparameter<input name="hparam" placeholder="training.lr=0.0012" value="${esc(p.get('hparam') ?? '')}"></label>
      <button type="submit">Filter</button>
      <button type="button" data-compare>Compare selected</button>
    </form>
    <table data-testid="runs"><thead><tr><th></th><th>run</th><th>kind</th><th>model</th><th>status</th>
      <th>levels</th><th>last density</th><th>last accuracy</th><th>progress</th><th>updated</th></tr></thead><tbody></tbody></table>
    <div class="pager"></div></div>`);
  const body = view.querySelector('tbody');
  for (const r of data.runs) {
    const tr = el(`<table><tbody><tr data-run="${esc(r.id)}">
      <td><input type="checkbox" value="${esc(r.id)}"></td>
      <td><a href="#/run?id=${encodeURIComponent(r.id)}">${esc(r.id)}</a></td>
      <td>${esc(r.kind)}</td><td>${esc(r.model)}</td><td class="status status-${esc(r.status)}">${esc(r.status)}</td>
      <td class="num">${r.levels}</td><td class="num">${pct(r.last_level?.density)}</td>
      <td class="num">${pct(r.last_level?.test_accuracy)}</td><td class="progress">${progressCell(r.progress)}</td>
      <td class="muted">${esc(r.updated.replace('T', ' ').slice(0, 19))}</td></tr></tbody></table>`).querySelector(
      'tr',
    );
    body.append(tr);
  }
  if (data.runs.length === 0)
    body.append(
      el(`<table><tbody><tr><td colspan="10" class="muted">no runs match</td></tr></tbody></table>`).querySelector(
        'tr',
      ),
    );
  const pages = Math.max(1, Math.ceil(data.total / data.per_page));
  const link = (n) => {
    const q = new URLSearchParams(p);
    q.set('page', String(n));
    return `#/runs?${q}`;
  };
  view.querySelector('.pager').innerHTML =
    `${page > 1 ? `<a href="${link(page - 1)}">← previous</a>` : ''} <span>page ${page} of ${pages} (${data.total} runs)</span>` +
    `${page < pages ? ` <a href="${link(page + 1)}">next →</a>` : ''}`;
  view.querySelector('form').addEventListener('submit', (e) => {
    e.preventDefault();
    const q = new URLSearchParams();
    for (const [k, v] of new FormData(e.target)) if (v) q.set(k, v);
    location.hash = `#/runs?${q}`;
  });
  view.querySelector('[data-compare]').addEventListener('click', () => {
    const ids = [...view.querySelectorAll('tbody input:checked')].map((i) => i.value);
    location.hash = `#/compare?${new URLSearchParams({ ids: ids.join(',') })}`;
  });
  let reloading = false;
  liveHandlers.add((kind, d) => {
    const row = [...body.querySelectorAll('tr[data-run]')].find((r) => r.dataset.run === d.id);
    if (!row) {
      // A run started since the list was drawn: draw it again (at most every 2 s).
      if (kind === 'progress' && page === 1 && !reloading) {
        reloading = true;
        setTimeout(route, 2000);
      }
      return;
    }
    if (kind === 'progress') row.querySelector('.progress').innerHTML = progressCell(d.progress);
    if (kind === 'status') {
      row.querySelector('.progress').innerHTML = '';
      const s = row.querySelector('.status');
      s.textContent = d.status;
      s.className = `status status-${d.status}`;
    }
  });
  return view;
}

// ---- One run ----------------------------------------------------------------------------------------------------

/** Rows of every level of every run of an experiment, for `againstDensity`. */
function levelRows(runs, field) {
  return runs.flatMap((r) =>
    r.levels
      .filter((l) => l[field] !== null && l[field] !== undefined)
      .map((l) => ({ series: r.branch ?? r.kind, replicate: r.replicate, density: l.density, value: l[field] })),
  );
}

async function runView() {
  const id = params().get('id');
  if (!id) throw new Error('no run id in the address');
  const { run, levels } = await api(`/api/run?id=${encodeURIComponent(id)}`);
  const view = el(`<div>
    <div class="card"><h2 data-testid="run-title">${esc(run.id)}</h2>
      <div>${esc(run.kind)} · ${esc(run.model)} · <span class="status status-${esc(run.status)}">${esc(run.status)}</span>
      <span class="progress">${progressCell(run.progress)}</span></div>
      <details><summary>hyperparameters</summary><pre>${esc(JSON.stringify(run.hparams, null, 1))}</pre></details></div>
    <div class="grid">
      <div class="card"><h2>Test accuracy at early stop against weights remaining</h2><div data-plot="accuracy" style="width:100%"></div></div>
      <div class="card"><h2>Early-stop iteration against weights remaining</h2><div data-plot="early" style="width:100%"></div></div>
      <div class="card"><h2>Training curves</h2><div class="levels"></div><div data-plot="curves" style="width:100%"></div></div>
      <div class="card"><h2>Per-layer density</h2><select data-bars></select><div data-plot="bars" style="width:100%"></div></div>
    </div>
    <div class="card" data-testid="masks"><h2>Masks</h2>
      level <select data-mask-level></select> layer <select data-mask-layer></select>
      against <select data-mask-against><option value="">—</option></select>
      zoom <input type="range" min="1" max="8" value="2" data-zoom>
      <span class="legend"><span style="background:#282828"></span>kept<span style="background:#fff;border:1px solid #ccc"></span>pruned
      <span style="background:#1e963c"></span>kept here only<span style="background:#d73228"></span>kept there only</span>
      <div class="mask-view"><img alt="mask" data-testid="mask-image"></div></div></div>`);
  liveHandlers.add((kind, d) => {
    if (d.id !== run.id) return;
    if (kind === 'progress') view.querySelector('.progress').innerHTML = progressCell(d.progress);
    if (kind === 'status') location.reload();
  });
  queueMicrotask(() => fillRun(view, run, levels));
  return view;
}

async function fillRun(view, run, levels) {
  let exp;
  try {
    exp = await api(`/api/experiment?id=${encodeURIComponent(run.id)}`);
  } catch (e) {
    view.prepend(errorCard('experiment', e));
    exp = { runs: [{ ...run, levels }] };
  }
  const acc = levelRows(exp.runs, 'early_stop_test_accuracy');
  plot(
    view.querySelector('[data-plot=accuracy]'),
    againstDensity(acc.length ? acc : levelRows(exp.runs, 'test_accuracy'), 'test accuracy', '.1%'),
  );
  plot(
    view.querySelector('[data-plot=early]'),
    againstDensity(levelRows(exp.runs, 'early_stop_step'), 'early-stop iteration', ',.0f'),
  );
  // Training curves of chosen levels of this run.
  const box = view.querySelector('.levels');
  for (const l of levels)
    box.append(
      el(
        `<label><input type="checkbox" value="${l.level}" ${l.level === 0 || l.level === levels.length - 1 ? 'checked' : ''}> ${l.level} (${pct(l.density, 1)})</label>`,
      ),
    );
  const drawCurves = async () => {
    const chosen = [...box.querySelectorAll('input:checked')].map((i) => Number(i.value));
    try {
      const all = await Promise.all(chosen.map((l) => api(`/api/curve?id=${encodeURIComponent(run.id)}&level=${l}`)));
      const rows = all.flatMap((c) =>
        c.curve
          .filter((p) => p.test_accuracy !== null && p.test_accuracy !== undefined)
          .map((p) => ({ series: `level ${c.level}`, step: p.step, test_accuracy: p.test_accuracy })),
      );
      const node = el('<div data-plot="curves" style="width:100%"></div>');
      view.querySelector('[data-plot=curves]').replaceWith(node);
      plot(node, curves(rows));
    } catch (e) {
      view.querySelector('[data-plot=curves]').replaceWith(errorCard('training curves', e));
    }
  };
  box.addEventListener('change', drawCurves);
  drawCurves();
  // Per-layer density of a chosen level.
  const bars = view.querySelector('[data-bars]');
  for (const l of levels) bars.append(el(`<option value="${l.level}">level ${l.level}</option>`));
  bars.value = String(levels.length - 1);
  const drawBars = () => {
    const l = levels.find((x) => x.level === Number(bars.value));
    const node = el('<div data-plot="bars" style="width:100%"></div>');
    view.querySelector('[data-plot=bars]').replaceWith(node);
    plot(node, layerBars(Object.entries(l?.layer_density ?? {}).map(([layer, density]) => ({ layer, density }))));
  };
  bars.addEventListener('change', drawBars);
  if (levels.length) drawBars();
  // Mask pictures, rendered by the server.
  const levelSel = view.querySelector('[data-mask-level]');
  const layerSel = view.querySelector('[data-mask-layer]');
  const against = view.querySelector('[data-mask-against]');
  const img = view.querySelector('[data-testid=mask-image]');
  const zoom = view.querySelector('[data-zoom]');
  for (const l of levels) {
    levelSel.append(el(`<option value="${l.level}">${l.level}</option>`));
    against.append(el(`<option value="${l.level}">${l.level}</option>`));
  }
  levelSel.value = String(levels.length - 1);
  const showMask = () => {
    if (!layerSel.value) return;
    const q = new URLSearchParams({ id: run.id, level: levelSel.value, layer: layerSel.value });
    if (against.value) q.set('against', against.value);
    img.src = `/api/mask.png?${q}`;
  };
  const loadLayers = async () => {
    try {
      const { layers } = await api(`/api/layers?id=${encodeURIComponent(run.id)}&level=${levelSel.value}`);
      const keep = layerSel.value;
      layerSel.innerHTML = layers
        .map(
          (l) => `<option value="${esc(l.name)}">${esc(l.name)} [${l.shape.join('×')}] ${pct(l.density, 1)}</option>`,
        )
        .join('');
      if (layers.some((l) => l.name === keep)) layerSel.value = keep;
      showMask();
    } catch (e) {
      view.querySelector('.mask-view').replaceChildren(errorCard('masks', e));
    }
  };
  img.addEventListener('load', () => (img.style.width = `${img.naturalWidth * Number(zoom.value)}px`));
  zoom.addEventListener('input', () => (img.style.width = `${img.naturalWidth * Number(zoom.value)}px`));
  levelSel.addEventListener('change', loadLayers);
  layerSel.addEventListener('change', showMask);
  against.addEventListener('change', showMask);
  if (levels.length) loadLayers();
}

// ---- Compare ----------------------------------------------------------------------------------------------------

async function compareView() {
  const ids = (params().get('ids') ?? '').split(',').filter(Boolean);
  const view = el(`<div><div class="card"><h2>Compare runs</h2>
    <p class="muted">Pick runs on the Runs page and press “Compare selected”.</p><ul></ul></div>
    <div class="grid"><div class="card"><h2>Test accuracy at early stop against weights remaining</h2><div data-plot="accuracy" style="width:100%"></div></div>
    <div class="card"><h2>Early-stop iteration against weights remaining</h2><div data-plot="early" style="width:100%"></div></div></div></div>`);
  const runs = [];
  for (const id of ids)
    try {
      const r = await api(`/api/run?id=${encodeURIComponent(id)}`);
      runs.push({ ...r.run, branch: r.run.id, levels: r.levels });
      view.querySelector('ul').append(el(`<li><a href="#/run?id=${encodeURIComponent(id)}">${esc(id)}</a></li>`));
    } catch (e) {
      view.querySelector('.card').append(errorCard(id, e));
    }
  queueMicrotask(() => {
    plot(
      view.querySelector('[data-plot=accuracy]'),
      againstDensity(levelRows(runs, 'early_stop_test_accuracy'), 'test accuracy', '.1%'),
    );
    plot(
      view.querySelector('[data-plot=early]'),
      againstDensity(levelRows(runs, 'early_stop_step'), 'early-stop iteration', ',.0f'),
    );
  });
  return view;
}

// ---- Studies ----------------------------------------------------------------------------------------------------

const formats = {
  text: (v) => esc(v ?? '—'),
  int: (v) => (v === null || v === undefined ? '—' : Math.round(v).toLocaleString('en-US')),
  pct: (v) => pct(v),
  mega: (v) => (v === null || v === undefined ? '—' : `${(v / 1e6).toFixed(2)}M`),
  num: (v) => (v === null || v === undefined ? '—' : String(v)),
};

/** A study's page: its plots and table, both given by the server (src/dashboard/studies/). */
async function studyView() {
  const kind = params().get('kind');
  if (!kind) throw new Error('no study kind in the address');
  const data = await api(`/api/study?kind=${encodeURIComponent(kind)}`);
  const view = el(`<div><div class="card"><h2 data-testid="study-title">${esc(data.title)}</h2>
    <span class="muted">${data.rows.length} rows</span></div><div class="grid"></div>
    <div class="card"><table data-testid="study-table"><thead><tr></tr></thead><tbody></tbody></table></div></div>`);
  view.querySelector('thead tr').innerHTML = data.columns.map((c) => `<th>${esc(c.title)}</th>`).join('');
  const body = view.querySelector('tbody');
  for (const row of data.rows) {
    const tr = document.createElement('tr');
    tr.innerHTML = row.error
      ? `<td>${esc(row.experiment)}</td><td colspan="${data.columns.length - 1}" class="error">${esc(row.error)}</td>`
      : data.columns
          .map((c) => `<td class="${c.format === 'text' ? '' : 'num'}">${formats[c.format](row[c.key])}</td>`)
          .join('');
    body.append(tr);
  }
  const grid = view.querySelector('.grid');
  queueMicrotask(() => {
    for (const p of data.plots) {
      const card = el(`<div class="card"><h2>${esc(p.title)}</h2><div style="width:100%"></div></div>`);
      grid.append(card);
      plot(card.querySelector('div'), p.spec);
    }
  });
  return view;
}

/** Links to the study pages of the kinds present in the root. */
async function studyLinks() {
  try {
    const { studies } = await api('/api/studies');
    const nav = document.querySelector('header nav');
    for (const s of studies)
      nav.append(el(`<a href="#/study?kind=${encodeURIComponent(s.kind)}">${esc(s.title)}</a>`), ' ');
  } catch {
    // the Runs page still works; the study links are missing until the root can be read
  }
}

// ---- Router -----------------------------------------------------------------------------------------------------

const routes = { '#/runs': runsView, '#/run': runView, '#/compare': compareView, '#/study': studyView };

async function route() {
  liveHandlers.clear();
  const [path] = (location.hash || '#/runs').split('?');
  const view = routes[path] ?? runsView;
  try {
    main.replaceChildren(await view());
  } catch (e) {
    main.replaceChildren(errorCard('this page could not be loaded', e));
  }
}

window.addEventListener('hashchange', route);
startLive();
studyLinks();
route();
