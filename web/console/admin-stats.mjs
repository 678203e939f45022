// The pure part of the hot spots view: month ranges, the units a caller may
// read statistics of, and the rows of its tables and charts shaped from the
// answers of GET /api/v1/stats. No DOM and no network here, so that node
// tests reach every rule.

/** The groupings the view shows, each as a chart and a table. */
export const CHART_DIMENSIONS = Object.freeze(['site', 'category', 'month']);
/** Every grouping the server's CSV export offers. */
export const CSV_DIMENSIONS = Object.freeze(['site', 'category', 'month', 'status', 'accused_level']);
/** Roles the server answers GET /api/v1/stats for (services/authorization.cpp kReadStats). */
export const STATS_ROLES = Object.freeze(['handler', 'unit_admin', 'auditor']);
/** The server refuses longer ranges. */
export const MAX_MONTHS = 120;

/** Categories the catalogs name (the default policy's); others are shown as the server spells them. */
export const KNOWN_CATEGORIES = Object.freeze([
  'bribery', 'embezzlement', 'abuse_of_power', 'dereliction_of_duty', 'favoritism',
  'protective_umbrella', 'supervision_staff', 'unit_head', 'other',
]);

const MONTH = /^([0-9]{4})-(0[1-9]|1[0-2])$/;

export function isMonth(text) {
  return typeof text === 'string' && MONTH.test(text);
}

function monthIndex(month) {
  const m = MONTH.exec(month);
  if (!m) throw new RangeError(`not a month: ${month}`);
  return Number(m[1]) * 12 + Number(m[2]) - 1;
}

function monthOfIndex(index) {
  const year = Math.floor(index / 12);
  const month = (index % 12) + 1;
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}`;
}

/** The month of `now` in UTC, as the server counts it. */
export function currentMonth(now = new Date()) {
  return monthOfIndex(now.getUTCFullYear() * 12 + now.getUTCMonth());
}

export function addMonths(month, n) {
  return monthOfIndex(monthIndex(month) + n);
}

/** Number of months from `from` to `to`, both included (0 if to is before from). */
export function monthCount(from, to) {
  return Math.max(0, monthIndex(to) - monthIndex(from) + 1);
}

/** Every month from `from` to `to`, both included. */
export function monthRange(from, to) {
  const out = [];
  for (let i = monthIndex(from); i <= monthIndex(to); i++) out.push(monthOfIndex(i));
  return out;
}

/** The server's default: the twelve months up to the current one. */
export function defaultRange(now = new Date()) {
  const to = currentMonth(now);
  return { from: addMonths(to, -11), to };
}

/** null when the server will take the range, else the catalog key saying what is wrong. */
export function rangeProblem(from, to) {
  if (!isMonth(from) || !isMonth(to)) return 'hotspots.error.monthFormat';
  if (monthIndex(to) < monthIndex(from)) return 'hotspots.error.monthOrder';
  if (monthCount(from, to) > MAX_MONTHS) return 'hotspots.error.monthTooLong';
  return null;
}

/**
 * The unit and every unit below it, depth first in id order, each with its
 * depth under the root: the units whose statistics the caller may read.
 */
export function subtreeUnits(units, rootId) {
  const children = new Map();
  for (const u of units) {
    const list = children.get(u.parent_id) ?? [];
    list.push(u);
    children.set(u.parent_id, list);
  }
  for (const list of children.values()) list.sort((a, b) => a.id - b.id);
  const root = units.find((u) => u.id === rootId);
  if (!root) return [];
  const out = [];
  const seen = new Set();
  const visit = (unit, depth) => {
    // A registry is a tree; the guard only keeps a corrupt answer from looping.
    if (seen.has(unit.id)) return;
    seen.add(unit.id);
    out.push({ unit, depth });
    for (const child of children.get(unit.id) ?? []) visit(child, depth + 1);
  };
  visit(root, 0);
  return out;
}

function counts(row) {
  return {
    clues: Number(row?.clues ?? 0),
    escalated: Number(row?.escalated ?? 0),
    overdue: Number(row?.overdue ?? 0),
  };
}

/**
 * The rows of one table (and chart) from a stats answer:
 *  - site: every site with clues, most clues first; its name from the
 *    directory when it knows the id (the answer's label otherwise);
 *  - category: every category of the policy (those without clues too, so
 *    that a quiet category shows as quiet), then any other the answer has;
 *  - month: every month of the range, the quiet ones as zero.
 * Each row: {key, label, clues, escalated, overdue}; label is null where
 * the view translates the key (categories it knows, months).
 */
export function tableRows(by, stats, { sites = [], categories = [] } = {}) {
  const rows = Array.isArray(stats?.rows) ? stats.rows : [];
  if (by === 'site') {
    const names = new Map(sites.map((s) => [String(s.id), s.name]));
    return rows
      .map((r) => ({ key: String(r.value), label: names.get(String(r.value)) ?? String(r.label ?? r.value), ...counts(r) }))
      .sort((a, b) => b.clues - a.clues || a.label.localeCompare(b.label) || Number(a.key) - Number(b.key));
  }
  if (by === 'category') {
    const byValue = new Map(rows.map((r) => [String(r.value), r]));
    const order = [...categories.map(String)];
    for (const r of rows) if (!order.includes(String(r.value))) order.push(String(r.value));
    return order.map((c) => ({ key: c, label: KNOWN_CATEGORIES.includes(c) ? null : c, ...counts(byValue.get(c)) }));
  }
  if (by === 'month') {
    const byValue = new Map(rows.map((r) => [String(r.value), r]));
    const months = isMonth(stats?.from) && isMonth(stats?.to) ? monthRange(stats.from, stats.to) : [...byValue.keys()].sort();
    return months.map((m) => ({ key: m, label: null, ...counts(byValue.get(m)) }));
  }
  throw new RangeError(`no table for by=${by}`);
}

/** uPlot's aligned data for a bar chart of rows: x is the row's index. */
export function chartData(rows) {
  return [rows.map((_, i) => i), rows.map((r) => r.clues)];
}

/** The three counts over every clue of the answer. */
export function totals(stats) {
  return counts(stats?.total);
}

/** The query of one stats request. */
export function statsQuery({ unitId, from, to, by, format }) {
  const q = { by, from, to };
  if (unitId != null) q.unit = String(unitId);
  if (format) q.format = format;
  return q;
}

/** The file name of a CSV export, which says what it holds. */
export function csvFileName({ unitId, by, from, to }) {
  return `clueline-stats-unit${unitId}-${by}-${from}_${to}.csv`;
}

/** A short label under a bar: long site names are cut, the table has them whole. */
export function shortLabel(text, max = 10) {
  const chars = [...String(text)];
  return chars.length <= max ? chars.join('') : `${chars.slice(0, max - 1).join('')}…`;
}
