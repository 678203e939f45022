// Acceptance checks 4 and 5 of the citizen pages, in each language: a phone
// whose languages are zh-CN, en or vi gets the pages in that language, every
// catalog text in place; axe-core finds no serious or critical violation on
// the report page (the filled form, one sent without its text, the receipt), on
// a forged poster's error page and on the follow-up page (receipt entry,
// status); nothing scrolls sideways at 360 px; and screenshots of the form,
// the receipt and the follow-up status are written for people to look at.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import {
  OUT,
  Server,
  TEST_MS,
  axe,
  createDeployment,
  horizontalOverflow,
  i18nKey,
  launchBrowser,
  phone,
  screenshot,
  servedCatalog,
  shown,
  text,
  untranslated,
} from './harness.mjs';

// A phone's language setting, and the catalog the page must choose for it.
const PHONES = [
  { lang: 'zh-CN', locale: 'zh-CN', report: '村委会主任在低保名单上弄虚作假，把自己的亲戚列了进去。' },
  { lang: 'en', locale: 'en-GB', report: 'The village head put his relatives on the subsidy list.' },
  { lang: 'vi', locale: 'vi-VN', report: 'Trưởng thôn đưa người thân vào danh sách trợ cấp.' },
];

describe('the citizen pages in each language: texts, accessibility, layout and screenshots', { timeout: TEST_MS }, () => {
  let deployment;
  let server;
  let browser;
  let token;

  before(async () => {
    deployment = await createDeployment('languages');
    token = deployment.sites[0].token;
    server = await new Server(deployment, { pow: { difficulty: 8 } }).start();
    browser = await launchBrowser(deployment);
    console.log(`screenshots in ${OUT}/screenshots`);
  });

  after(async () => {
    await browser?.close();
    await server?.close();
    deployment?.remove();
  });

  /** The page's state is in lang with every text from lang's catalog, no serious axe finding, nothing wider than the phone. */
  async function check(page, lang, label) {
    assert.equal(await page.getAttribute('html', 'lang'), lang, label);
    assert.deepEqual(await untranslated(page, await servedCatalog(page, lang)), [], label);
    assert.deepEqual(await axe(page, `${label} (${lang})`), [], label);
    assert.ok((await horizontalOverflow(page)) <= 0, `${label} (${lang}) is wider than the phone`);
  }

  for (const { lang, locale, report } of PHONES) {
    it(`a phone set to ${locale}: report form, receipt and follow-up in ${lang}`, { timeout: TEST_MS }, async () => {
      const { context, page, problems } = await phone(browser, { locale });
      try {
        await page.goto(`${server.url}/s/${token}`);
        await shown(page, 'form-view');
        await page.check('#category-embezzlement');
        await page.check('#level-village');
        await i18nKey(page, 'route-text', ['route.goesTo', 'route.failed', 'route.unverified', 'error.noRoute']);
        assert.equal(await page.getAttribute('#route-text', 'data-i18n'), 'route.goesTo');
        await page.fill('#report-text', report);
        await check(page, lang, 'report form');
        await screenshot(page, `${lang}-form`);

        // Sent without its text: the error is part of what a reader meets.
        await page.fill('#report-text', '');
        await page.click('#send-button');
        await shown(page, 'form-error');
        assert.ok(await page.isVisible('#form-view'));
        await check(page, lang, 'report form with an error');

        await page.fill('#report-text', report);
        await page.click('#send-button');
        await page.waitForFunction(() => !document.getElementById('receipt-view').hidden || !document.getElementById('progress-error').hidden || !document.getElementById('form-error').hidden);
        assert.ok(await page.isVisible('#receipt-view'), `no receipt: ${await text(page, 'main')}`);
        const receipt = (await text(page, '#receipt')).replace(/ /g, '');
        assert.match(receipt, /^\d{5}(-\d{5}){4}$/);
        await check(page, lang, 'receipt');
        await screenshot(page, `${lang}-receipt`);

        await page.click('#receipt-followup');
        await shown(page, 'login-view');
        await check(page, lang, 'follow-up receipt entry');
        await page.fill('#receipt-input', receipt);
        await page.click('#receipt-submit');
        await page.waitForFunction(() => !document.getElementById('status-view').hidden || !document.getElementById('login-error').hidden);
        assert.ok(await page.isVisible('#status-view'), await text(page, '#login-error'));
        assert.equal(await page.getAttribute('#status-list strong', 'data-i18n'), 'status.received.name');
        await check(page, lang, 'follow-up status');
        await screenshot(page, `${lang}-followup`);
        assert.deepEqual(problems, []);
      } finally {
        await context.close();
      }
    });
  }

  it('a forged poster gets a page in the phone\'s language saying what happened, not an API error', { timeout: TEST_MS }, async () => {
    // One signature character changed: the token no longer verifies.
    const i = token.length - 10;
    const forged = token.slice(0, i) + (token[i] === 'A' ? 'B' : 'A') + token.slice(i + 1);
    for (const { lang, locale } of PHONES) {
      const { context, page } = await phone(browser, { locale });
      try {
        const response = await page.goto(`${server.url}/s/${forged}`);
        assert.equal(response.status(), 404);
        await shown(page, 'fatal');
        assert.equal(await page.getAttribute('#fatal-title', 'data-i18n'), 'fatal.notFound.title');
        assert.ok((await page.locator('#fatal-advice li').count()) > 0);
        await check(page, lang, 'forged poster');
      } finally {
        await context.close();
      }
    }
  });
});
