// Language choice and formatting (web/report/i18n.mjs).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  CATALOG_LANGUAGES,
  catalogFor,
  chooseLanguage,
  format,
  formatBytes,
  formatDate,
  languageFromHash,
  offeredLanguages,
  translator,
} from '../i18n.mjs';

test('catalogFor maps zh*, vi*, en* and nothing else', () => {
  for (const t of ['zh', 'zh-CN', 'zh-Hans', 'zh-Hans-CN', 'zh-TW', 'ZH-cn']) assert.equal(catalogFor(t), 'zh-CN', t);
  for (const t of ['vi', 'vi-VN', 'VI']) assert.equal(catalogFor(t), 'vi', t);
  for (const t of ['en', 'en-US', 'en-GB']) assert.equal(catalogFor(t), 'en', t);
  for (const t of ['fr', 'de-DE', 'zhx', 'vie', '', null, undefined]) assert.equal(catalogFor(t), null, String(t));
});

test('offeredLanguages: the advertised languages that have a catalog, in our order', () => {
  assert.deepEqual(offeredLanguages(['zh-CN', 'en']), ['zh-CN', 'en']);
  assert.deepEqual(offeredLanguages(['en', 'zh-CN', 'vi']), ['zh-CN', 'en', 'vi']);
  assert.deepEqual(offeredLanguages(['vi', 'fr']), ['vi']);
  assert.deepEqual(offeredLanguages(['fr']), ['en']);
  assert.deepEqual(offeredLanguages([]), [...CATALOG_LANGUAGES]);
  assert.deepEqual(offeredLanguages(undefined), [...CATALOG_LANGUAGES]);
});

test('chooseLanguage follows navigator.languages within what is offered', () => {
  const all = ['zh-CN', 'en', 'vi'];
  assert.equal(chooseLanguage(['zh-CN', 'en'], all), 'zh-CN');
  assert.equal(chooseLanguage(['zh-TW'], all), 'zh-CN');
  assert.equal(chooseLanguage(['vi-VN', 'en-US'], all), 'vi');
  assert.equal(chooseLanguage(['en-GB'], all), 'en');
  assert.equal(chooseLanguage(['fr-FR'], all), 'en', 'else English');
  assert.equal(chooseLanguage(['fr-FR', 'vi'], all), 'vi', 'a later language we have wins over the fallback');
  assert.equal(chooseLanguage([], all), 'en');
  assert.equal(chooseLanguage(['vi'], ['zh-CN', 'en']), 'en', 'vi not offered by the server');
  assert.equal(chooseLanguage(['fr'], ['zh-CN']), 'zh-CN', 'the only offered one');
  assert.equal(chooseLanguage(['zh-CN'], all, 'vi'), 'vi', 'an explicit choice wins');
  assert.equal(chooseLanguage(['zh-CN'], ['zh-CN', 'en'], 'vi'), 'zh-CN', 'unless it is not offered');
});

test('languageFromHash reads #lang=… for our languages only', () => {
  assert.equal(languageFromHash('#lang=vi'), 'vi');
  assert.equal(languageFromHash('#lang=zh-CN'), 'zh-CN');
  assert.equal(languageFromHash('#x=1&lang=en'), 'en');
  assert.equal(languageFromHash('#lang=fr'), null);
  assert.equal(languageFromHash(''), null);
});

test('format fills parameters, dates, sizes and numbers in the language', () => {
  assert.equal(format('{a} and {b}', { a: 'x', b: 2 }, 'en'), 'x and 2');
  assert.equal(format('{missing}', {}, 'en'), '{missing}');
  assert.equal(format('{n}', { n: 12345 }, 'en'), '12,345');
  assert.match(formatBytes(16711679, 'en'), /16\.7\s?MB/);
  assert.match(formatBytes(2048, 'en'), /2\s?kB/);
  const iso = '2026-11-23T10:00:00Z';
  assert.match(formatDate(iso, 'en'), /2026/);
  assert.match(formatDate(iso, 'zh-CN'), /2026年11月2[34]日/);
  assert.match(formatDate(iso, 'vi'), /2026/);
  assert.equal(format('{d}', { d: { $date: iso } }, 'en'), formatDate(iso, 'en'));
  assert.equal(formatDate('not a date', 'en'), 'not a date');
});

test('translator falls back to the key', () => {
  const t = translator('en', { hello: 'Hello {name}' });
  assert.equal(t('hello', { name: 'A' }), 'Hello A');
  assert.equal(t('nope'), 'nope');
  assert.equal(t.has('hello'), true);
  assert.equal(t.has('nope'), false);
  assert.equal(t.has('toString'), false);
});
