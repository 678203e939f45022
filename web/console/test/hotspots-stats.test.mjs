// The pure logic of the hot spots view (admin-stats.mjs): months, ranges,
// the caller's subtree and the tables shaped from GET /api/v1/stats.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  MAX_MONTHS,
  addMonths,
  chartData,
  csvFileName,
  currentMonth,
  defaultRange,
  isMonth,
  monthCount,
  monthRange,
  rangeProblem,
  shortLabel,
  statsQuery,
  subtreeUnits,
  tableRows,
  totals,
} from '../admin-stats.mjs';

test('months are counted in UTC, across years', () => {
  assert.equal(currentMonth(new Date('2026-01-31T23:59:59Z')), '2026-01');
  assert.equal(currentMonth(new Date('2026-12-01T00:00:00Z')), '2026-12');
  assert.equal(addMonths('2026-01', -1), '2025-12');
  assert.equal(addMonths('2025-12', 1), '2026-01');
  assert.equal(addMonths('2026-03', -27), '2023-12');
  assert.equal(monthCount('2025-11', '2026-02'), 4);
  assert.equal(monthCount('2026-02', '2026-01'), 0);
  assert.deepEqual(monthRange('2025-11', '2026-02'), ['2025-11', '2025-12', '2026-01', '2026-02']);
});

test('the default range is the server\'s: twelve months up to the current one', () => {
  assert.deepEqual(defaultRange(new Date('2026-03-15T12:00:00Z')), { from: '2025-04', to: '2026-03' });
  assert.equal(monthCount(...Object.values(defaultRange())), 12);
});

test('a range the server would refuse is caught with the reason', () => {
  assert.equal(rangeProblem('2026-01', '2026-12'), null);
  assert.equal(rangeProblem('2026-01', '2026-01'), null);
  assert.equal(rangeProblem('2026-1', '2026-12'), 'hotspots.error.monthFormat');
  assert.equal(rangeProblem('', '2026-12'), 'hotspots.error.monthFormat');
  assert.equal(rangeProblem('2026-13', '2026-12'), 'hotspots.error.monthFormat');
  assert.equal(rangeProblem('2026-05', '2026-04'), 'hotspots.error.monthOrder');
  assert.equal(rangeProblem('2016-01', addMonths('2016-01', MAX_MONTHS - 1)), null);
  assert.equal(rangeProblem('2016-01', addMonths('2016-01', MAX_MONTHS)), 'hotspots.error.monthTooLong');
  assert.ok(isMonth('0999-01'));
  assert.ok(!isMonth('2026-00'));
});

const UNITS = [
  { id: 1, name: 'Demo Province', parent_id: 0 },
  { id: 2, name: 'Demo City', parent_id: 1 },
  { id: 3, name: 'Demo County', parent_id: 2 },
  { id: 5, name: 'Xishan Township', parent_id: 3 },
  { id: 4, name: 'Dongshan Township', parent_id: 3 },
  { id: 6, name: 'Dongshan Village', parent_id: 4 },
  { id: 8, name: 'Xishan Village', parent_id: 5 },
  { id: 7, name: 'Nanshan Village', parent_id: 4 },
];

test('the units a caller may read are its own and those below, depth first', () => {
  const tree = subtreeUnits(UNITS, 3).map(({ unit, depth }) => [unit.id, depth]);
  assert.deepEqual(tree, [[3, 0], [4, 1], [6, 2], [7, 2], [5, 1], [8, 2]]);
  assert.deepEqual(subtreeUnits(UNITS, 7).map(({ unit }) => unit.id), [7]);
  assert.deepEqual(subtreeUnits(UNITS, 99), []);
  // A corrupt answer with a cycle does not loop.
  assert.deepEqual(subtreeUnits([{ id: 1, parent_id: 2 }, { id: 2, parent_id: 1 }], 1).map(({ unit }) => unit.id), [1, 2]);
});

const SITE_STATS = {
  unit_id: 4, from: '2026-01', to: '2026-03', by: 'site',
  total: { clues: 14, escalated: 3, overdue: 1 },
  rows: [
    { value: '4', label: 'Xishan clinic', clues: 3, escalated: 0, overdue: 0 },
    { value: '1', label: 'Dongshan village board', clues: 11, escalated: 3, overdue: 1 },
    { value: '9', label: 'Gone site', clues: 3, escalated: 0, overdue: 0 },
  ],
};

test('site rows: most clues first, names from the directory', () => {
  const rows = tableRows('site', SITE_STATS, { sites: [{ id: 1, name: '东山村委会' }, { id: 4, name: 'Xishan clinic' }] });
  assert.deepEqual(rows.map((r) => [r.key, r.label, r.clues]), [['1', '东山村委会', 11], ['9', 'Gone site', 3], ['4', 'Xishan clinic', 3]]);
  assert.deepEqual(rows[0], { key: '1', label: '东山村委会', clues: 11, escalated: 3, overdue: 1 });
  assert.deepEqual(totals(SITE_STATS), { clues: 14, escalated: 3, overdue: 1 });
  assert.deepEqual(totals({}), { clues: 0, escalated: 0, overdue: 0 });
});

test('category rows: every category of the policy, quiet ones as zero, unknown ones kept', () => {
  const stats = { by: 'category', rows: [{ value: 'bribery', label: 'bribery', clues: 2, escalated: 1, overdue: 0 }, { value: 'local_rule', label: 'local_rule', clues: 1, escalated: 0, overdue: 0 }] };
  const rows = tableRows('category', stats, { categories: ['bribery', 'favoritism'] });
  assert.deepEqual(rows, [
    { key: 'bribery', label: null, clues: 2, escalated: 1, overdue: 0 },
    { key: 'favoritism', label: null, clues: 0, escalated: 0, overdue: 0 },
    { key: 'local_rule', label: 'local_rule', clues: 1, escalated: 0, overdue: 0 },
  ]);
});

test('month rows: every month of the range, quiet ones as zero', () => {
  const stats = { by: 'month', from: '2025-12', to: '2026-03', rows: [{ value: '2026-02', label: '2026-02', clues: 5, escalated: 1, overdue: 1 }] };
  const rows = tableRows('month', stats);
  assert.deepEqual(rows.map((r) => [r.key, r.clues]), [['2025-12', 0], ['2026-01', 0], ['2026-02', 5], ['2026-03', 0]]);
  assert.deepEqual(chartData(rows), [[0, 1, 2, 3], [0, 0, 5, 0]]);
  assert.throws(() => tableRows('status', stats), RangeError);
  assert.deepEqual(tableRows('site', { rows: null }), []);
});

test('queries and file names say what they ask for', () => {
  assert.deepEqual(statsQuery({ unitId: 4, from: '2026-01', to: '2026-03', by: 'site' }), { by: 'site', from: '2026-01', to: '2026-03', unit: '4' });
  assert.deepEqual(statsQuery({ unitId: null, from: '2026-01', to: '2026-03', by: 'month', format: 'csv' }), { by: 'month', from: '2026-01', to: '2026-03', format: 'csv' });
  assert.equal(csvFileName({ unitId: 4, by: 'category', from: '2026-01', to: '2026-03' }), 'clueline-stats-unit4-category-2026-01_2026-03.csv');
});

test('bar labels are cut by characters, not bytes', () => {
  assert.equal(shortLabel('Dongshan village board', 8), 'Dongsha…');
  assert.equal(shortLabel('东山村村民委员会办公室', 8), '东山村村民委员…');
  assert.equal(shortLabel('诊所', 8), '诊所');
});
