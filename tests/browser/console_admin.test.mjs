// The console's hot spots, poster check and administration views in a real
// browser against a real `clueline serve` on a demo deployment:
//  - the admin adds a site, loads the deployment's site-signing key file
//    into the page, which signs the site's token itself, and downloads a
//    poster PDF; the PDF is a PDF whose text has the site's poster code,
//    and a rendered page of it is genuine at the poster check; after a
//    revocation in the console the same page is revoked;
//  - a photo without a poster is no code (or not ours);
//  - the unit administrator invites a handler, the code activates with
//    `clueline account activate`, and the console disables and enables the
//    new account;
//  - the hot spots tables count a clue submitted through the server.
// Screenshots console-{zh-CN,en}-{hotspots,postercheck,admin-accounts,
// admin-sites}.png at desktop width (and -phone at 360 px) with axe-core
// clean on each.

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';

import {
  STEP_MS,
  Server,
  TEST_MS,
  axe,
  canvasJpeg,
  clueline,
  cluelineJsonLines,
  createDeployment,
  handlingUnit,
  horizontalOverflow,
  launchBrowser,
  phone,
  screenshot,
  text,
} from './harness.mjs';
import { addAccount, consoleSignIn, desktop, unexpected } from './console_harness.mjs';

const run = promisify(execFile);
const PASSPHRASE = 'a long passphrase for the console test';
const KDF = ['--kdf-opslimit', '1', '--kdf-memlimit', '67108864'];
const NEW_SITE = '北山村卫生室';
const LANGS = ['zh-CN', 'en'];

async function open(page, hash, selector) {
  await page.evaluate((h) => {
    location.hash = h;
  }, hash);
  await page.waitForSelector(selector, { state: 'visible' });
}

async function setLanguage(page, lang) {
  await page.selectOption('#lang-select', lang);
  await page.waitForFunction((l) => document.documentElement.lang === l, lang);
}

/** Screenshot at desktop width and at 360 px, axe clean, no sideways scrolling at 360 px. */
async function snap(page, lang, view) {
  await setLanguage(page, lang);
  await screenshot(page, `console-${lang}-${view}`);
  const serious = await axe(page, `${lang} ${view}`);
  assert.deepEqual(serious, [], `axe ${lang} ${view}`);
  const size = page.viewportSize();
  await page.setViewportSize({ width: 360, height: 740 });
  try {
    // The charts follow the container's width on the next frame.
    await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
    await screenshot(page, `console-${lang}-${view}-phone`);
    assert.ok((await horizontalOverflow(page)) <= 0, `${lang} ${view} scrolls sideways at 360 px`);
    assert.deepEqual(await axe(page, `${lang} ${view} at 360 px`), [], `axe ${lang} ${view} at 360 px`);
  } finally {
    await page.setViewportSize(size);
  }
}

/** Sends a photo to the poster check and waits for its verdict. */
async function checkPoster(page, file) {
  await open(page, '#/poster-check', '#postercheck-file');
  await page.setInputFiles('#postercheck-file', file);
  await page.waitForSelector('#postercheck-submit:not([disabled])');
  await page.click('#postercheck-submit');
  await page.waitForSelector('#postercheck-verdict:not([hidden])[data-verdict]', { state: 'visible' });
  return page.getAttribute('#postercheck-verdict', 'data-verdict');
}

/** Answers the open confirmation dialog. */
async function confirm(page) {
  await page.waitForSelector('#admin-confirm[open]', { state: 'visible' });
  await page.click('#admin-confirm-ok');
  await page.waitForSelector('#admin-confirm', { state: 'detached' });
}

describe('console: hot spots, poster check and administration', { timeout: TEST_MS }, () => {
  let deployment;
  let server;
  let browser;
  let unit;
  const accounts = { invited: 'new.handler' };
  const state = {};

  before(async () => {
    deployment = await createDeployment('console-admin');
    const first = deployment.sites[0];
    unit = await handlingUnit(deployment, { siteId: first.site_id, category: 'bribery', accusedLevel: 'village' });
    const units = await cluelineJsonLines(['unit', 'list', '--data-dir', deployment.dataDir]);
    state.villageUnit = units.find((u) => u.name === 'Xishan Village');
    accounts.admin = await addAccount(deployment, { name: 'root.admin', unitId: units.find((u) => !u.parent_id).id, role: 'admin', passphrase: PASSPHRASE });
    accounts.unitAdmin = await addAccount(deployment, { name: 'dong.admin', unitId: unit.id, role: 'unit_admin', keyFile: unit.secretKeyFile, passphrase: PASSPHRASE });
    // The invited handler's passphrase, for `account activate` and `login`.
    state.passphraseFile = join(deployment.root, 'invited.pass');
    writeFileSync(state.passphraseFile, `${PASSPHRASE}\n`, { mode: 0o600 });
    server = await new Server(deployment, { pow: { difficulty: 8 } }).start();
    // One clue from the first site, so that the hot spots have something to count.
    await clueline(['submit', '--server', server.url, '--ca-file', deployment.certificate, '--token', first.token, '--category', 'bribery', '--accused-level', 'village', '--text', '村主任收取宅基地审批“手续费”。']);
    state.firstSite = first;
    browser = await launchBrowser(deployment);
  });

  after(async () => {
    await browser?.close();
    await server?.close();
    deployment?.remove();
  });

  it('the admin adds a site, signs its poster in the browser, checks it genuine, revokes it and checks it revoked', { timeout: TEST_MS }, async () => {
    const { context, page, problems } = await desktop(browser, { locale: 'zh-CN' });
    try {
      await consoleSignIn(page, server, accounts.admin);
      // The admin keeps the registry and reads no statistics: no hot spots link.
      assert.equal(await page.locator('#nav a[data-view="hotspots"]').count(), 0);
      await open(page, '#/admin/sites', '#admin-sites-table');
      await page.setInputFiles('#admin-key-file', deployment.signingKey);
      await page.waitForSelector('#admin-key-status[data-state="loaded"]');

      await page.fill('#admin-site-name', NEW_SITE);
      await page.selectOption('#admin-site-unit', String(state.villageUnit.id));
      await page.selectOption('#admin-site-kind', 'clinic');
      await page.click('#admin-site-submit');
      const row = page.locator('#admin-sites-table tr[data-site-id]', { hasText: NEW_SITE });
      await row.waitFor();
      const siteId = Number(await row.getAttribute('data-site-id'));
      assert.equal(await row.getAttribute('data-token-version'), '1');
      assert.ok(await row.locator('input.admin-site-select').isChecked(), 'the new site is ticked for its poster');
      const url = await text(page, `#admin-sites-table tr[data-site-id="${siteId}"] td.site-url`);
      assert.match(url, new RegExp(`^${server.url.replace(/[.]/g, '\\.')}/s/[A-Za-z0-9_-]{115}$`));

      for (const lang of LANGS) await snap(page, lang, 'admin-sites');
      await setLanguage(page, 'zh-CN');

      const [download] = await Promise.all([page.waitForEvent('download'), page.click('#admin-posters-submit')]);
      const pdf = join(deployment.root, 'console-poster.pdf');
      await download.saveAs(pdf);
      assert.equal(readFileSync(pdf).subarray(0, 5).toString('latin1'), '%PDF-');
      const info = (await run('pdfinfo', [pdf])).stdout;
      assert.match(info, /^Pages:\s+1$/m, info);
      const pdfText = (await run('pdftotext', ['-layout', pdf, '-'])).stdout;
      assert.ok(pdfText.includes(NEW_SITE), `the poster names the site:\n${pdfText}`);

      await run('pdftoppm', ['-png', '-r', '150', pdf, join(deployment.root, 'console-poster')], { timeout: STEP_MS });
      const png = readdirSync(deployment.root).find((f) => /^console-poster-\d+\.png$/.test(f));
      assert.ok(png, 'pdftoppm wrote no page image');
      state.posterPng = join(deployment.root, png);

      // Leaving the sites page wipes the key: back there, none is loaded.
      assert.equal(await checkPoster(page, state.posterPng), 'genuine');
      const posterCode = await text(page, '#postercheck-verdict .postercheck-poster-code');
      assert.match(posterCode, /^[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$/);
      assert.ok(pdfText.includes(posterCode), `the PDF carries the poster code ${posterCode}:\n${pdfText}`);
      assert.equal(await text(page, '#postercheck-verdict .postercheck-site-name'), NEW_SITE);
      assert.equal(await text(page, '#postercheck-verdict .postercheck-unit-name'), state.villageUnit.name);
      for (const lang of LANGS) await snap(page, lang, 'postercheck');
      await setLanguage(page, 'zh-CN');

      await open(page, '#/admin/sites', `#admin-sites-table tr[data-site-id="${siteId}"]`);
      assert.equal(await page.getAttribute('#admin-key-status', 'data-state'), 'none');
      await page.click(`#admin-sites-table tr[data-site-id="${siteId}"] button[data-action="revoke"]`);
      await confirm(page);
      await page.waitForSelector(`#admin-sites-table tr[data-site-id="${siteId}"][data-token-version="2"]`);
      assert.equal(await checkPoster(page, state.posterPng), 'revoked');

      // A photo without any code.
      const photo = join(deployment.root, 'no-poster.jpg');
      writeFileSync(photo, await canvasJpeg(page, 640, 480));
      assert.ok(['no_code', 'not_ours'].includes(await checkPoster(page, photo)));
      assert.deepEqual(unexpected(problems), []);
    } finally {
      await context.close();
    }
  });

  it('the unit administrator invites a handler, who activates; the console disables and enables the account', { timeout: TEST_MS }, async () => {
    const { context, page, problems } = await desktop(browser, { locale: 'en-US' });
    try {
      await consoleSignIn(page, server, accounts.unitAdmin);
      await open(page, '#/admin/accounts', `#admin-accounts-table tr[data-login-name="${accounts.unitAdmin.name}"]`);
      await page.fill('#admin-invite-name', accounts.invited);
      await page.selectOption('#admin-invite-role', 'handler');
      await page.click('#admin-invite-submit');
      await page.waitForSelector('#admin-invite-code', { state: 'visible' });
      const code = await text(page, '#admin-invite-code');
      assert.match(code, /^[A-Za-z0-9_-]{43}$/);

      const activated = await clueline(['account', 'activate', '--server', server.url, '--ca-file', deployment.certificate, '--invitation', code, '--passphrase-file', state.passphraseFile, ...KDF]);
      assert.ok(activated.stdout.includes(accounts.invited), activated.stdout);

      await page.click('#admin-invite-done');
      await open(page, '#/poster-check', '#postercheck-file');
      await open(page, '#/admin/accounts', `#admin-accounts-table tr[data-login-name="${accounts.invited}"][data-state="active"]`);
      const invitedRow = `#admin-accounts-table tr[data-login-name="${accounts.invited}"]`;
      // No change of oneself that the server would refuse, nor of the auditors and admins.
      assert.equal(await page.locator(`#admin-accounts-table tr[data-login-name="${accounts.unitAdmin.name}"] button[data-change="disable"]`).count(), 0);

      await page.click(`${invitedRow} button[data-change="disable"]`);
      await confirm(page);
      await page.waitForSelector(`${invitedRow}[data-state="disabled"]`);
      const refused = await clueline(['login', '--server', server.url, '--ca-file', deployment.certificate, '--account', accounts.invited, '--passphrase-file', state.passphraseFile], { allowFailure: true, env: { CLUELINE_SESSION_FILE: join(deployment.root, 'invited-session.json') } });
      assert.notEqual(refused.code, 0, 'a disabled account cannot sign in');

      await page.click(`${invitedRow} button[data-change="enable"]`);
      await confirm(page);
      await page.waitForSelector(`${invitedRow}[data-state="active"]`);
      await clueline(['login', '--server', server.url, '--ca-file', deployment.certificate, '--account', accounts.invited, '--passphrase-file', state.passphraseFile], { env: { CLUELINE_SESSION_FILE: join(deployment.root, 'invited-session.json') } });

      for (const lang of LANGS) await snap(page, lang, 'admin-accounts');

      // Hot spots: the clue of the first site, counted by site, category and month.
      await open(page, '#/hotspots', `#hotspots-table-site tr[data-site-id="${state.firstSite.site_id}"]`);
      assert.equal(await text(page, `#hotspots-table-site tr[data-site-id="${state.firstSite.site_id}"] td.count`), '1');
      assert.equal(await text(page, '#hotspots-table-category tr[data-category="bribery"] td.count'), '1');
      // The page's last month is the server's current one (UTC), where the clue counts.
      const month = await page.inputValue('#hotspots-to');
      assert.equal(await text(page, `#hotspots-table-month tr[data-month="${month}"] td.count`), '1');
      assert.equal(await page.locator('#hotspots-table-month tr[data-month]').count(), 12);
      assert.equal(await text(page, '#hotspots-escalated'), '0');
      assert.equal(await text(page, '#hotspots-overdue'), '0');
      await page.waitForSelector('#hotspots-chart-site canvas', { state: 'attached' });
      const [csv] = await Promise.all([page.waitForEvent('download'), page.click('#hotspots-csv')]);
      const csvFile = join(deployment.root, 'stats.csv');
      await csv.saveAs(csvFile);
      const lines = readFileSync(csvFile, 'utf8').split('\r\n');
      assert.equal(lines[0], 'site,label,clues,escalated,overdue');
      assert.ok(lines.some((l) => l.startsWith(`${state.firstSite.site_id},`) && l.endsWith(',1,0,0')), lines.join('\n'));
      for (const lang of LANGS) await snap(page, lang, 'hotspots');
      assert.deepEqual(unexpected(problems), []);
    } finally {
      await context.close();
    }
  });

  it('every role has the poster check; the 360 px phone shows it without sideways scrolling', { timeout: TEST_MS }, async () => {
    const { context, page, problems } = await phone(browser, { locale: 'zh-CN' });
    try {
      await consoleSignIn(page, server, accounts.unitAdmin);
      assert.equal(await page.locator('#nav a[data-view="poster-check"]').count(), 1);
      assert.equal(await checkPoster(page, state.posterPng), 'revoked');
      assert.ok((await horizontalOverflow(page)) <= 0);

      // Refusals in plain words: a file that is no photo is refused here; a
      // broken JPEG by the server (400).
      const refusal = async (file) => {
        await page.setInputFiles('#postercheck-pick', file);
        await page.click('#postercheck-submit');
        await page.waitForSelector('#postercheck-error:not([hidden])', { state: 'visible' });
        assert.equal(await page.isVisible('#postercheck-verdict'), false);
        return page.getAttribute('#postercheck-error', 'data-i18n');
      };
      assert.equal(await refusal({ name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('not a photo') }), 'postercheck.error.type');
      const broken = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(2048, 7)]);
      assert.equal(await refusal({ name: 'broken.jpg', mimeType: 'image/jpeg', buffer: broken }), 'postercheck.error.undecodable');
      assert.deepEqual(unexpected(problems, [/status of 400/]), []);
    } finally {
      await context.close();
    }
  });
});
