// Hot spots (#/hotspots): where the unit's clues come from, by site,
// category and month, with how many missed a deadline and escalated. Only
// GET /api/v1/stats is read — counters the server keeps beside the clues —
// so this view never opens a clue. Every chart has a data table beside it,
// which is what a screen reader (and the tests) read.

import uPlot from 'uplot';
import { registerView } from './shell.mjs';
import { el, field, messageLine, select, showMessage, tel } from './admin-dom.mjs';
import {
  CHART_DIMENSIONS,
  CSV_DIMENSIONS,
  KNOWN_CATEGORIES,
  STATS_ROLES,
  chartData,
  csvFileName,
  defaultRange,
  rangeProblem,
  shortLabel,
  statsQuery,
  subtreeUnits,
  tableRows,
  totals,
} from './admin-stats.mjs';

const CHART_HEIGHT = 220;
// The console's colours (contrast 4.5:1 and more on white).
const BAR_FILL = '#0a54a0';
const BAR_STROKE = '#073d75';
const AXIS = '#1b1b1b';
const GRID = '#dde2e8';

let current = null;

registerView('hotspots', {
  navKey: 'hotspots.nav',
  roles: [...STATS_ROLES],
  async render(container, ctx) {
    leave();
    current = { charts: [], observers: [], generation: 0 };
    await renderView(container, ctx, current);
  },
  leave,
});

function leave() {
  if (!current) return;
  for (const o of current.observers) o.disconnect();
  for (const c of current.charts) c.destroy();
  current.generation += 1;
  current = null;
}

async function renderView(container, ctx, view) {
  const directory = await ctx.directory();
  const units = subtreeUnits(directory.units ?? [], ctx.account.unit_id);
  const range = defaultRange();

  const heading = tel(ctx, 'h1', 'hotspots.title', undefined, { id: 'hotspots-title' });
  const intro = tel(ctx, 'p', 'hotspots.intro', undefined, { class: 'cl-intro' });

  const from = el('input', { id: 'hotspots-from', type: 'month', value: range.from, required: true, pattern: '[0-9]{4}-[0-9]{2}' });
  const to = el('input', { id: 'hotspots-to', type: 'month', value: range.to, required: true, pattern: '[0-9]{4}-[0-9]{2}' });
  const controls = [field(ctx, 'hotspots.from', from), field(ctx, 'hotspots.to', to)];
  let unitSelect = null;
  if (units.length > 1) {
    unitSelect = select(ctx, 'hotspots-unit', units.map(({ unit, depth }) => ({
      value: unit.id,
      // Depth shown by indentation: the select is the tree of the caller's subtree.
      text: `${'\u3000'.repeat(depth)}${unit.name}`,
    })), ctx.account.unit_id);
    controls.unshift(field(ctx, 'hotspots.unit', unitSelect));
  }
  const apply = tel(ctx, 'button', 'hotspots.apply', undefined, { type: 'submit', id: 'hotspots-apply', class: 'cl-button' });
  const form = el('form', { id: 'hotspots-form', class: 'cl-form cl-inline-form', novalidate: true }, [...controls, el('div', { class: 'cl-field cl-field-button' }, [apply])]);
  const error = messageLine('hotspots-error', 'alert');
  const status = messageLine('hotspots-status');

  // The dash until the figures come is typography, not a word: it reads the
  // same in Chinese and English, so it is not in the catalogs (nor below,
  // for a site whose unit the directory does not name).
  const total = el('dd', { id: 'hotspots-total' }, '–');
  const escalated = el('dd', { id: 'hotspots-escalated' }, '–');
  const overdue = el('dd', { id: 'hotspots-overdue' }, '–');
  const summary = el('section', { class: 'cl-panel hotspots-summary', 'aria-labelledby': 'hotspots-summary-title' }, [
    tel(ctx, 'h2', 'hotspots.summary.title', undefined, { id: 'hotspots-summary-title' }),
    el('dl', { class: 'hotspots-figures' }, [
      el('div', {}, [tel(ctx, 'dt', 'hotspots.summary.total'), total]),
      el('div', {}, [tel(ctx, 'dt', 'hotspots.summary.escalated'), escalated]),
      el('div', {}, [tel(ctx, 'dt', 'hotspots.summary.overdue'), overdue]),
    ]),
    tel(ctx, 'p', 'hotspots.summary.hint', undefined, { class: 'cl-hint' }),
  ]);

  const sections = Object.fromEntries(CHART_DIMENSIONS.map((by) => [by, chartSection(ctx, by)]));

  const csvBy = select(ctx, 'hotspots-csv-by', CSV_DIMENSIONS.map((by) => ({ value: by, key: `hotspots.csv.by.${by}` })), 'site');
  const csvButton = tel(ctx, 'button', 'hotspots.csv.button', undefined, { type: 'button', id: 'hotspots-csv', class: 'cl-button cl-secondary' });
  const csv = el('section', { class: 'cl-panel', 'aria-labelledby': 'hotspots-csv-title' }, [
    tel(ctx, 'h2', 'hotspots.csv.title', undefined, { id: 'hotspots-csv-title' }),
    tel(ctx, 'p', 'hotspots.csv.hint', undefined, { class: 'cl-hint' }),
    el('div', { class: 'cl-inline-form' }, [field(ctx, 'hotspots.csv.by', csvBy), el('div', { class: 'cl-field cl-field-button' }, [csvButton])]),
  ]);

  container.replaceChildren(el('div', { class: 'cl-view hotspots' }, [
    heading, intro, form, error, status, summary, ...CHART_DIMENSIONS.map((by) => sections[by].section), csv,
  ]));

  const selection = () => ({ unitId: unitSelect ? Number(unitSelect.value) : ctx.account.unit_id, from: from.value, to: to.value });

  const load = async () => {
    const wanted = selection();
    const problem = rangeProblem(wanted.from, wanted.to);
    if (problem) {
      showMessage(ctx, error, problem, undefined, 'error');
      return;
    }
    showMessage(ctx, error, null);
    showMessage(ctx, status, 'hotspots.loading');
    const generation = view.generation;
    let answers;
    try {
      answers = await Promise.all(CHART_DIMENSIONS.map((by) => ctx.api.get('/api/v1/stats', statsQuery({ ...wanted, by }))));
    } catch (e) {
      if (generation !== view.generation) return;
      showMessage(ctx, status, null);
      showMessage(ctx, error, statsErrorKey(e), undefined, 'error');
      return;
    }
    // The view was left or reloaded while the answers came.
    if (generation !== view.generation || current !== view) return;
    const sum = totals(answers[0]);
    total.textContent = ctx.formatNumber(sum.clues);
    escalated.textContent = ctx.formatNumber(sum.escalated);
    overdue.textContent = ctx.formatNumber(sum.overdue);
    for (const c of view.charts) c.destroy();
    view.charts = [];
    CHART_DIMENSIONS.forEach((by, i) => {
      const rows = tableRows(by, answers[i], { sites: directory.sites ?? [], categories: directory.categories ?? [] });
      fillTable(ctx, sections[by], by, rows, directory);
      const chart = drawChart(ctx, sections[by], by, rows);
      if (chart) view.charts.push(chart);
    });
    showMessage(ctx, status, null);
    ctx.announce(ctx.t('hotspots.loaded', { clues: ctx.formatNumber(sum.clues) }));
  };

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    view.generation += 1;
    load();
  });
  unitSelect?.addEventListener('change', () => {
    view.generation += 1;
    load();
  });

  csvButton.addEventListener('click', async () => {
    const wanted = selection();
    const problem = rangeProblem(wanted.from, wanted.to);
    if (problem) {
      showMessage(ctx, error, problem, undefined, 'error');
      return;
    }
    csvButton.disabled = true;
    try {
      const by = csvBy.value;
      const text = await ctx.api.getText('/api/v1/stats', statsQuery({ ...wanted, by, format: 'csv' }));
      ctx.download(csvFileName({ ...wanted, by }), text, 'text/csv');
      showMessage(ctx, error, null);
      ctx.announce(ctx.t('hotspots.csv.done'));
    } catch (e) {
      showMessage(ctx, error, statsErrorKey(e), undefined, 'error');
    } finally {
      csvButton.disabled = false;
    }
  });

  // Axis labels come from the catalogs when the chart draws: redraw on a change of language.
  const langObserver = new MutationObserver(() => {
    for (const c of view.charts) c.redraw(false, true);
  });
  langObserver.observe(document.documentElement, { attributes: true, attributeFilter: ['lang'] });
  view.observers.push(langObserver);
  const resize = new ResizeObserver(() => {
    for (const c of view.charts) {
      const width = chartWidth(c.root.parentElement);
      if (width !== c.width) c.setSize({ width, height: CHART_HEIGHT });
    }
  });
  resize.observe(container);
  view.observers.push(resize);

  await load();
}

function statsErrorKey(error) {
  if (error?.status === 403) return 'hotspots.error.forbidden';
  if (error?.status === 400) return 'hotspots.error.invalid';
  if (error?.status === 503) return 'hotspots.error.unavailable';
  if (error?.status == null || error.status === 0) return 'hotspots.error.network';
  return 'hotspots.error.server';
}

function chartSection(ctx, by) {
  const title = tel(ctx, 'h2', `hotspots.${by}.title`, undefined, { id: `hotspots-${by}-title` });
  // The chart repeats the table for the eye; assistive technology reads the table.
  const chart = el('div', { id: `hotspots-chart-${by}`, class: 'hotspots-chart', 'aria-hidden': 'true' });
  const empty = tel(ctx, 'p', 'hotspots.empty', undefined, { class: 'cl-hint' });
  empty.hidden = true;
  const headers = by === 'site'
    ? ['hotspots.column.site', 'hotspots.column.unit', 'hotspots.column.clues', 'hotspots.column.escalated', 'hotspots.column.overdue']
    : [`hotspots.column.${by}`, 'hotspots.column.clues', 'hotspots.column.escalated', 'hotspots.column.overdue'];
  const body = el('tbody');
  const table = el('table', { id: `hotspots-table-${by}`, class: 'cl-table' }, [
    tel(ctx, 'caption', `hotspots.${by}.caption`, undefined, { id: `hotspots-${by}-caption` }),
    el('thead', {}, el('tr', {}, headers.map((k, i) => tel(ctx, 'th', k, undefined, { scope: 'col', class: i >= headers.length - 3 ? 'cl-num' : null })))),
    body,
  ]);
  const section = el('section', { class: 'cl-panel hotspots-section', 'aria-labelledby': title.id }, [
    title, chart, empty, el('div', { class: 'cl-table-wrap', tabindex: '0', role: 'region', 'aria-labelledby': `hotspots-${by}-caption` }, table),
  ]);
  return { section, chart, empty, body };
}

/** A row's name: the catalog's for categories and months, the directory's for sites. */
function setRowLabel(ctx, node, by, row) {
  if (by === 'category' && row.label === null && KNOWN_CATEGORIES.includes(row.key)) {
    ctx.setText(node, `hotspots.category.${row.key}`);
  } else if (by === 'month') {
    const [year, month] = row.key.split('-');
    ctx.setText(node, 'hotspots.monthLabel', { year, month });
  } else {
    node.textContent = row.label;
  }
  return node;
}

function rowLabelText(ctx, by, row) {
  if (by === 'category' && row.label === null && KNOWN_CATEGORIES.includes(row.key)) return ctx.t(`hotspots.category.${row.key}`);
  if (by === 'month') {
    const [year, month] = row.key.split('-');
    return ctx.t('hotspots.monthShort', { year: year.slice(2), month });
  }
  return row.label;
}

function fillTable(ctx, section, by, rows, directory) {
  const unitNames = new Map((directory.units ?? []).map((u) => [u.id, u.name]));
  const siteUnits = new Map((directory.sites ?? []).map((s) => [String(s.id), s.unit_id]));
  const attr = { site: 'data-site-id', category: 'data-category', month: 'data-month' }[by];
  const trs = rows.map((row) => {
    const cells = [setRowLabel(ctx, el('th', { scope: 'row' }), by, row)];
    if (by === 'site') cells.push(el('td', {}, unitNames.get(siteUnits.get(row.key)) ?? '–'));
    cells.push(
      el('td', { class: 'count cl-num' }, ctx.formatNumber(row.clues)),
      el('td', { class: 'escalated cl-num' }, ctx.formatNumber(row.escalated)),
      el('td', { class: 'overdue cl-num' }, ctx.formatNumber(row.overdue)),
    );
    return el('tr', { [attr]: row.key }, cells);
  });
  section.body.replaceChildren(...trs);
  section.empty.hidden = rows.some((r) => r.clues > 0);
}

function chartWidth(node) {
  return Math.max(240, Math.floor(node?.clientWidth || 320));
}

function drawChart(ctx, section, by, rows) {
  section.chart.replaceChildren();
  if (!rows.some((r) => r.clues > 0)) return null;
  const n = rows.length;
  const indices = rows.map((_, i) => i);
  const opts = {
    width: chartWidth(section.chart),
    height: CHART_HEIGHT,
    legend: { show: false },
    cursor: { show: false },
    select: { show: false },
    scales: {
      x: { time: false, range: () => [-0.5, n - 0.5] },
      y: { range: (u, min, max) => [0, Math.max(1, Math.ceil(max * 1.1))] },
    },
    axes: [
      {
        stroke: AXIS,
        grid: { show: false },
        ticks: { show: false },
        // As many labels as fit: every k-th bar when they are many.
        splits: (u) => {
          const room = u.bbox.width / (window.devicePixelRatio || 1);
          const step = Math.max(1, Math.ceil((n * 64) / Math.max(room, 1)));
          return indices.filter((i) => i % step === 0);
        },
        values: (u, splits) => splits.map((i) => (rows[i] ? shortLabel(rowLabelText(ctx, by, rows[i]), 8) : '')),
      },
      {
        stroke: AXIS,
        grid: { stroke: GRID, width: 1 },
        incrs: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000, 20000, 50000, 100000],
        values: (u, splits) => splits.map((v) => ctx.formatNumber(v)),
        size: 48,
      },
    ],
    series: [
      {},
      {
        label: ctx.t('hotspots.column.clues'),
        fill: BAR_FILL,
        stroke: BAR_STROKE,
        width: 1,
        paths: uPlot.paths.bars({ size: [0.7, 64], align: 0 }),
        points: { show: false },
      },
    ],
  };
  return new uPlot(opts, chartData(rows), section.chart);
}
