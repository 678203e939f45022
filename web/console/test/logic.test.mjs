// The console's pure logic without a browser: deadline badges, the queue's
// query and order, the route in catalog keys, reporter messages, the
// fingerprint comparison, and the small codecs.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  DUE_SOON_MS,
  badgesFor,
  base32,
  currentDeadline,
  downloadName,
  fingerprintsMatch,
  invitationCode,
  isClueId,
  notesInOrder,
  parseMessage,
  parseReportBody,
  parseRoute,
  passphraseProblem,
  queryString,
  queueQuery,
  routeExplanation,
  signinErrorKey,
  sortClues,
  totpUri,
  transferOptions,
} from '../logic.mjs';
import { chooseLanguage, format, mergeCatalogs, translator } from '../i18n.mjs';
import { offeredActions } from '../clue-actions.mjs';

const NOW = Date.parse('2026-11-23T10:00:00Z');
const iso = (ms) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
const clue = (over = {}) => ({
  clue_id: 'AAAAAAAAAAAAAAAAAAAAAA', relation: 'handling', status: 'received', escalations: [],
  acknowledge_by: iso(NOW + 10 * DUE_SOON_MS), handle_by: iso(NOW + 20 * DUE_SOON_MS), ...over,
});

test('the deadline that counts: acknowledge while received, handle while worked, none once closed', () => {
  assert.equal(currentDeadline(clue()).kind, 'acknowledge');
  assert.equal(currentDeadline(clue({ status: 'acknowledged' })).kind, 'handle');
  assert.equal(currentDeadline(clue({ status: 'investigating' })).iso, clue().handle_by);
  assert.equal(currentDeadline(clue({ status: 'closed' })), null);
});

test('badges from the deadline and now: overdue, due soon within 3 days, nothing further out', () => {
  assert.deepEqual(badgesFor(clue(), NOW), []);
  assert.deepEqual(badgesFor(clue({ acknowledge_by: iso(NOW - 1000) }), NOW), ['overdue']);
  assert.deepEqual(badgesFor(clue({ acknowledge_by: iso(NOW + DUE_SOON_MS) }), NOW), ['dueSoon']);
  assert.deepEqual(badgesFor(clue({ acknowledge_by: iso(NOW + DUE_SOON_MS + 1000) }), NOW), []);
  // A worked clue is judged by its handling deadline, whatever the acknowledge one said.
  assert.deepEqual(badgesFor(clue({ status: 'acknowledged', acknowledge_by: iso(NOW - 1000), handle_by: iso(NOW + 3600e3) }), NOW), ['dueSoon']);
  assert.deepEqual(badgesFor(clue({ status: 'closed', handle_by: iso(NOW - 1000) }), NOW), []);
});

test('badges for escalation: to us when it reached our unit, from us when we handle it and it went above', () => {
  assert.deepEqual(badgesFor(clue({ relation: 'escalated', acknowledge_by: iso(NOW - 1000) }), NOW), ['overdue', 'escalatedToUs']);
  assert.deepEqual(badgesFor(clue({ escalations: [{ unit_id: 2, reason: 'acknowledge_overdue' }] }), NOW), ['escalatedFromUs']);
  assert.deepEqual(badgesFor(clue({ relation: 'escalated', escalations: [{ unit_id: 2 }] }), NOW), ['escalatedToUs']);
});

test('the queue query: only the filters given, as the API names them', () => {
  assert.deepEqual(queueQuery({}), { limit: '50' });
  assert.deepEqual(queueQuery({ status: 'received', category: 'bribery', site: '3', overdue: true, escalated: '1' }, 'abc_-1'), {
    status: 'received', category: 'bribery', site: '3', overdue: '1', escalated: '1', limit: '50', cursor: 'abc_-1',
  });
  assert.deepEqual(queueQuery({ escalated: '0' }), { escalated: '0', limit: '50' });
  // What the API would refuse is left out rather than sent.
  assert.deepEqual(queueQuery({ status: 'lost', category: 'Bribery!', site: 'x', escalated: 'yes', overdue: false }), { limit: '50' });
  assert.equal(queryString(queueQuery({ site: 7, overdue: true })), '?site=7&overdue=1&limit=50');
  assert.equal(queryString({}), '');
});

test('the order by deadline: soonest first, closed last, stable', () => {
  const a = clue({ clue_id: 'a', acknowledge_by: iso(NOW + 5000) });
  const b = clue({ clue_id: 'b', status: 'acknowledged', handle_by: iso(NOW - 5000) });
  const c = clue({ clue_id: 'c', status: 'closed' });
  const d = clue({ clue_id: 'd', acknowledge_by: iso(NOW + 5000) });
  assert.deepEqual(sortClues([c, a, d, b], 'deadline').map((x) => x.clue_id), ['b', 'a', 'd', 'c']);
  assert.deepEqual(sortClues([c, a, d, b], 'queue').map((x) => x.clue_id), ['c', 'a', 'd', 'b']);
});

const directory = {
  units: [
    { id: 1, name: 'Xishan county commission', level: 'county' },
    { id: 3, name: 'Dongshan township commission', level: 'township' },
  ],
  sites: [{ id: 7, name: 'Dongshan village board', unit_id: 5 }],
};

test('the route in plain words: one catalog line per rule, unit names from the directory, the server\'s text kept beside', () => {
  const steps = routeExplanation({
    accused_level: 'village', category: 'bribery',
    route: [
      { rule: 'graded_jurisdiction', unit_id: 3, text: 'graded jurisdiction: a village cadre is handled at township level: Dongshan' },
      { rule: 'not_receiving', unit_id: 1, text: 'no current key …' },
      { rule: 'a_rule_from_the_future', unit_id: 9, text: 'something new' },
    ],
  }, directory);
  assert.deepEqual(steps.map((s) => s.key), ['route.rule.graded_jurisdiction', 'route.rule.not_receiving', 'route.rule.other']);
  assert.deepEqual(steps[0].params, { unit: 'Dongshan township commission', level: 'township', accused: 'village', category: 'bribery' });
  assert.equal(steps[1].params.unit, 'Xishan county commission');
  assert.deepEqual(steps[2].params.unit, { $key: 'common.unitNumber', params: { id: 9 } });
  assert.equal(steps[2].serverText, 'something new');
  const t = translator('en', { 'route.rule.graded_jurisdiction': 'Graded: {accused} cadre, by {unit}.', 'route.rule.other': 'By {unit}.', 'level.village': 'village', 'common.unitNumber': 'unit {id}' });
  assert.equal(t(steps[0].key, { ...steps[0].params, accused: { $key: 'level.village' } }), 'Graded: village cadre, by Dongshan township commission.');
  assert.equal(t(steps[2].key, steps[2].params), 'By unit 9.');
  assert.deepEqual(routeExplanation({ route: [] }, directory), []);
});

test('transfer targets: the server\'s ids with the directory\'s names', () => {
  assert.deepEqual(transferOptions({ transfer_targets: [1, 9] }, directory), [{ id: 1, name: 'Xishan county commission' }, { id: 9, name: null }]);
  assert.deepEqual(transferOptions({}, directory), []);
});

test('a reporter message: plain text, or the JSON of crypto-spec §4 with its files', () => {
  assert.deepEqual(parseMessage('补充：每月初收钱。'), { text: '补充：每月初收钱。', files: [] });
  // JSON that is not such a message is shown as the text it is.
  assert.deepEqual(parseMessage('{"v":2,"text":"x","attachments":[]}'), { text: '{"v":2,"text":"x","attachments":[]}', files: [] });
  assert.deepEqual(parseMessage('{"v":1,"text":"x"}'), { text: '{"v":1,"text":"x"}', files: [] });
  assert.deepEqual(parseMessage('[1,2]'), { text: '[1,2]', files: [] });
  const m = parseMessage(JSON.stringify({ v: 1, text: 'two photos', attachments: [
    { n: 1, id: 'attachment-1', key: 'K', name: 'a.jpg', type: 'image/jpeg', size: 10 },
    { id: 'no-number', key: 'K2', name: 'b.jpg' },
    { n: 2, key: 'K3' },
  ] }));
  assert.equal(m.text, 'two photos');
  assert.deepEqual(m.files, [{ n: 1, key: 'K', name: 'a.jpg', type: 'image/jpeg', size: 10 }, { n: 2, key: 'K3', name: null, type: '', size: null }]);
});

test('a report body: text, answers, numbered files, contact', () => {
  const b = parseReportBody(JSON.stringify({ v: 1, text: 'T', answers: { when: 'last year', bad: 3 }, attachments: [{ key: 'K', name: 'p.jpg', type: 'image/jpeg', size: 5 }], contact: '' }));
  assert.equal(b.text, 'T');
  assert.deepEqual(b.answers, [['when', 'last year']]);
  assert.deepEqual(b.attachments, [{ key: 'K', name: 'p.jpg', type: 'image/jpeg', size: 5, n: 0 }]);
  assert.equal(b.contact, null);
  assert.throws(() => parseReportBody('[]'));
});

test('notes in time order, reporter messages and unit replies together', () => {
  const notes = notesInOrder([{ seq: 1, sent_at: '2026-11-23T10:05:00Z' }, { seq: 2, sent_at: '2026-11-23T10:09:00Z' }], [{ seq: 1, sent_at: '2026-11-23T10:06:00Z' }]);
  assert.deepEqual(notes.map((n) => `${n.from}${n.seq}`), ['reporter1', 'unit1', 'reporter2']);
});

test('the fingerprint comparison: exact but for surrounding spaces and case, never the server\'s own member', () => {
  const fp = '3f2a-09bc-77d1-e0a4-5b6c';
  assert.ok(fingerprintsMatch(fp, fp));
  assert.ok(fingerprintsMatch(fp, '  3F2A-09BC-77D1-E0A4-5B6C \n'));
  assert.ok(!fingerprintsMatch(fp, '3f2a-09bc-77d1-e0a4-5b6d'));
  assert.ok(!fingerprintsMatch(fp, '3f2a09bc77d1e0a45b6c'));
  assert.ok(!fingerprintsMatch(fp, '3f2a 09bc 77d1 e0a4 5b6c'));
  assert.ok(!fingerprintsMatch(fp, ''));
  assert.ok(!fingerprintsMatch('', ''));
});

test('activation input: the invitation code and the passphrase pair', () => {
  const code = 'MP-_oP_g1nJ9Xaj0yBrnmAlMMRAMP-_oP_g1nJ9XajQ';
  assert.equal(code.length, 43);
  assert.equal(invitationCode(` ${code} `), code);
  assert.equal(invitationCode(code.slice(1)), null);
  assert.equal(invitationCode(`${code.slice(0, 42)}B`), null, 'non-canonical trailing bits');
  assert.equal(passphraseProblem('short', 'short'), 'activate.error.short');
  assert.equal(passphraseProblem('a long enough one', 'a long enough 1'), 'activate.error.different');
  assert.equal(passphraseProblem('a long enough one', 'a long enough one'), null);
  assert.equal(passphraseProblem('十二个字的中文口令也可以了', '十二个字的中文口令也可以了'), null);
});

test('base32 of RFC 4648 and the authenticator URI', () => {
  const enc = (s) => base32(new TextEncoder().encode(s));
  assert.deepEqual(['', 'f', 'fo', 'foo', 'foob', 'fooba', 'foobar'].map(enc), ['', 'MY', 'MZXQ', 'MZXW6', 'MZXW6YQ', 'MZXW6YTB', 'MZXW6YTBOI']);
  assert.equal(totpUri('wang.li', new TextEncoder().encode('foobar')), 'otpauth://totp/clueline:wang.li?secret=MZXW6YTBOI&issuer=clueline&algorithm=SHA1&digits=6&period=30');
});

test('sign-in failures in plain words, by what the status can tell', () => {
  assert.equal(signinErrorKey({ status: 403, code: 'authentication_failed' }), 'signin.error.failed');
  assert.equal(signinErrorKey({ status: 403, code: 'forbidden' }), 'signin.error.crossSite');
  assert.equal(signinErrorKey({ status: 429, code: 'rate_limited' }), 'signin.error.rateLimited');
  assert.equal(signinErrorKey({ status: 503, code: 'unavailable' }), 'signin.error.busy');
  assert.equal(signinErrorKey({ status: 0, code: 'network' }), 'signin.error.network');
  assert.equal(signinErrorKey({ status: 500, code: 'internal' }), 'signin.error.unknown');
});

test('routes, clue ids and file names', () => {
  assert.deepEqual(parseRoute('#/clue/AbC_-12'), { name: 'clue', params: ['AbC_-12'] });
  assert.deepEqual(parseRoute('#/admin/accounts'), { name: 'admin', params: ['accounts'] });
  assert.deepEqual(parseRoute(''), { name: '', params: [] });
  assert.ok(isClueId('AAAAAAAAAAAAAAAAAAAAAA'));
  assert.ok(!isClueId('AAAAAAAAAAAAAAAAAAAAAB'));
  assert.ok(!isClueId('../etc'));
  assert.equal(downloadName('../../IMG 1.jpg', 0), '_.._IMG 1.jpg');
  assert.equal(downloadName('', 3), 'attachment-3');
  assert.equal(downloadName(null, 2), 'attachment-2');
});

test('the actions offered follow the relation and the status', () => {
  assert.deepEqual(offeredActions({ relation: 'handling', status: 'received', transfer_targets: [2] }), ['acknowledge', 'transfer', 'recuse', 'reply']);
  assert.deepEqual(offeredActions({ relation: 'handling', status: 'acknowledged', transfer_targets: [] }), ['investigate', 'close', 'link_duplicate', 'recuse', 'reply']);
  assert.deepEqual(offeredActions({ relation: 'handling', status: 'closed', transfer_targets: [] }), ['reply']);
  assert.deepEqual(offeredActions({ relation: 'escalated', status: 'received' }), ['take_over']);
  assert.deepEqual(offeredActions({ relation: 'escalated', status: 'closed' }), ['reopen']);
});

test('languages: Chinese when the browser has it anywhere, else English, else Chinese; catalogs merged', () => {
  assert.equal(chooseLanguage(['en-US', 'zh-TW']), 'zh-CN');
  assert.equal(chooseLanguage(['en-GB']), 'en');
  assert.equal(chooseLanguage(['de-DE']), 'zh-CN');
  assert.equal(chooseLanguage([]), 'zh-CN');
  assert.deepEqual(mergeCatalogs({ 'a.x': '1' }, { 'admin.y': '2' }), { 'admin.y': '2', 'a.x': '1' });
  assert.deepEqual(mergeCatalogs({ 'a.x': '1' }, undefined), { 'a.x': '1' });
  assert.equal(format('{n} of {m}', { n: 1234, m: 'x' }, 'en'), '1,234 of x');
  const t = translator('en', { 'a.b': 'signed in as {role}', 'role.handler': 'handler' });
  assert.equal(t('a.b', { role: { $key: 'role.handler' } }), 'signed in as handler');
  assert.equal(t('missing.key'), 'missing.key');
});
