// The supervisor console at work, in a real browser against a real
// `clueline serve`: a report with a photo sent through the citizen page;
// a township handler signs in to the console (Argon2id and the login
// signature in the page's worker), finds the clue in the queue, opens it
// on the device — the exact text, the photo decrypted, downloaded and
// still a JPEG of its size without its metadata — acknowledges, replies,
// and the reporter reads the reply with the receipt; the clue is closed
// with an outcome, and the hot spots count it for its site. Along the way:
// the session cookie's attributes, a cross-site request with the cookie
// refused, the page emptied at sign-out before the logout is answered and
// the unit keys zeroed; screenshots
// and axe-core in both languages. And onboarding: an invited newcomer
// activates in the console and reads out its fingerprint, the handler
// grants the unit key only once the typed fingerprint matches, and the
// newcomer's next sign-in stores the key and opens the clue.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import {
  Server,
  TEST_MS,
  axe,
  canvasJpeg,
  clueline,
  cluelineJson,
  createDeployment,
  freePort,
  handlingUnit,
  horizontalOverflow,
  jpegStructure,
  launchBrowser,
  phone,
  screenshot,
  text,
  withExifGps,
} from './harness.mjs';
import {
  addAccount,
  attributeIs,
  blobImageLoads,
  consoleSignIn,
  desktop,
  followupReplies,
  heldUnitKeyCount,
  holdRequests,
  pageContains,
  rawRequest,
  secretKeysZeroed,
  submitReport,
  unexpected,
} from './console_harness.mjs';

const REPORT_TEXT = '东山村村主任王某在宅基地审批中每户收取"手续费"五千元，不交钱就不盖章。\n去年十月以来至少有十二户交过。';
const CONTACT = '每周三下午在村口小卖部';
const REPLY = '您好，您反映的问题已登记，我们将派人到东山村核实。';
const CATEGORY = 'bribery';
const ACCUSED_LEVEL = 'village';
const LANGS = ['zh-CN', 'en'];

describe('the console: sign in, queue, open a clue with its photo, acknowledge, reply, close', { timeout: TEST_MS }, () => {
  let deployment;
  let server;
  let browser;
  let unit;
  let handler;
  let admin;
  let work;
  const site = {};
  const state = {};

  before(async () => {
    deployment = await createDeployment('console-work');
    const first = deployment.sites[0];
    Object.assign(site, { id: first.site_id, name: first.name, token: first.token });
    unit = await handlingUnit(deployment, { siteId: site.id, category: CATEGORY, accusedLevel: ACCUSED_LEVEL });
    handler = await addAccount(deployment, { name: 'township.handler', unitId: unit.id, keyFile: unit.secretKeyFile, passphrase: 'a passphrase for the township handler' });
    admin = await addAccount(deployment, { name: 'deployment.admin', unitId: 1, role: 'admin', passphrase: 'a passphrase for the deployment admin' });
    server = new Server(deployment, { port: await freePort(), pow: { difficulty: 8 } });
    await server.start();
    browser = await launchBrowser(deployment);
  });

  after(async () => {
    await browser?.close();
    await server?.close();
    deployment?.remove();
  });

  it('a phone sends a report with a GPS-tagged photo through the citizen page', { timeout: TEST_MS }, async () => {
    const { page, problems, context } = await phone(browser, { locale: 'zh-CN' });
    const photo = withExifGps(await canvasJpeg(page, 400, 200));
    Object.assign(state, await submitReport(page, server, site, { category: CATEGORY, accusedLevel: ACCUSED_LEVEL, text: REPORT_TEXT, contact: CONTACT, photo: { name: 'IMG_1.jpg', buffer: photo } }));
    assert.deepEqual(problems, []);
    await context.close();
  });

  it('the sign-in page in both languages: screenshots, axe-core clean', { timeout: TEST_MS }, async () => {
    work = await desktop(browser, { locale: 'zh-CN' });
    const { page } = work;
    await page.goto(`${server.url}/console/`);
    await page.waitForSelector('#signin-submit', { state: 'visible' });
    assert.equal(await page.getAttribute('html', 'lang'), 'zh-CN');
    for (const lang of LANGS) {
      await page.selectOption('#lang-select', lang);
      await page.waitForFunction((l) => document.documentElement.lang === l, lang);
      assert.deepEqual(await axe(page, `console sign-in (${lang})`), []);
      await screenshot(page, `console-${lang}-signin`);
    }
    await page.selectOption('#lang-select', 'zh-CN');
  });

  it('the handler signs in: a __Host- cookie, HttpOnly, Secure, SameSite=Strict, Path=/, no Domain; the unit key is held in the page', { timeout: TEST_MS }, async () => {
    const { page } = work;
    const response = await consoleSignIn(page, server, handler);
    assert.equal(response.status(), 201);
    const setCookie = await response.headerValue('set-cookie');
    assert.ok(setCookie, 'the login answer sets no cookie');
    const [pair, ...attributes] = setCookie.split(';').map((s) => s.trim());
    const [name] = pair.split('=');
    assert.match(name, /^__Host-/);
    const lower = attributes.map((a) => a.toLowerCase());
    assert.ok(lower.includes('httponly'), setCookie);
    assert.ok(lower.includes('secure'), setCookie);
    assert.ok(lower.includes('samesite=strict'), setCookie);
    assert.ok(lower.includes('path=/'), setCookie);
    assert.ok(!lower.some((a) => a.startsWith('domain')), setCookie);
    // The body carries no session for a browser: only the cookie does.
    assert.equal((await response.json()).session, undefined);
    const [cookie] = (await work.context.cookies()).filter((c) => c.name === name);
    assert.ok(cookie && cookie.httpOnly && cookie.secure && cookie.sameSite === 'Strict', JSON.stringify(cookie));
    state.cookie = `${cookie.name}=${cookie.value}`;
    assert.ok((await heldUnitKeyCount(page)) >= 1);
    // Nothing of the session or the keys is kept by the page.
    assert.deepEqual(await page.evaluate(() => [localStorage.length, sessionStorage.length, document.cookie]), [0, 0, '']);
  });

  it('the queue lists the clue; screenshots and axe-core in both languages', { timeout: TEST_MS }, async () => {
    const { page } = work;
    await page.waitForSelector(`#queue-rows tr[data-clue-id="${state.clueId}"]`);
    assert.equal(await page.getAttribute(`#queue-rows tr[data-clue-id="${state.clueId}"]`, 'data-status'), 'received');
    assert.ok((await text(page, `#queue-rows tr[data-clue-id="${state.clueId}"]`)).includes(site.name));
    for (const lang of LANGS) {
      await page.selectOption('#lang-select', lang);
      await page.waitForFunction((l) => document.documentElement.lang === l, lang);
      assert.deepEqual(await axe(page, `console queue (${lang})`), []);
      await screenshot(page, `console-${lang}-queue`);
    }
  });

  it('a cross-site POST carrying the session cookie is refused and changes nothing', { timeout: TEST_MS }, async () => {
    const refused = await rawRequest(server, deployment, {
      method: 'POST', path: `/api/v1/clues/${state.clueId}/actions`,
      headers: { Cookie: state.cookie, Origin: 'https://evil.example', 'X-Clueline-CSRF': '1', 'Content-Type': 'application/json' },
      body: JSON.stringify({ action: 'acknowledge' }),
    });
    assert.equal(refused.status, 403, refused.body);
    const withoutHeader = await rawRequest(server, deployment, {
      method: 'POST', path: `/api/v1/clues/${state.clueId}/actions`,
      headers: { Cookie: state.cookie, Origin: server.url, 'Content-Type': 'application/json' },
      body: JSON.stringify({ action: 'acknowledge' }),
    });
    assert.equal(withoutHeader.status, 403, withoutHeader.body);
    const queue = await rawRequest(server, deployment, { path: '/api/v1/queue', headers: { Cookie: state.cookie } });
    assert.equal(queue.status, 200, queue.body);
    assert.equal(JSON.parse(queue.body).clues.find((c) => c.clue_id === state.clueId).status, 'received');
  });

  it('the clue opens on the device: the exact text, the contact, the photo decrypted and downloadable, the route in words', { timeout: TEST_MS }, async () => {
    const { page } = work;
    await page.selectOption('#lang-select', 'zh-CN');
    await page.click(`#queue-rows tr[data-clue-id="${state.clueId}"] a`);
    await page.waitForSelector('#clue-text');
    assert.equal(await page.textContent('#clue-text'), REPORT_TEXT);
    assert.equal(await page.textContent('#clue-contact'), CONTACT);
    await page.waitForSelector('#attachment-0-download:not([disabled])');
    await page.waitForFunction(() => document.getElementById('attachment-0-image')?.complete && document.getElementById('attachment-0-image').naturalWidth > 0);
    assert.deepEqual(await page.$eval('#attachment-0-image', (i) => [i.naturalWidth, i.naturalHeight]), [400, 200]);
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#attachment-0-download')]);
    const jpeg = readFileSync(await download.path());
    const { segments, frame } = jpegStructure(jpeg);
    assert.deepEqual(frame, { width: 400, height: 200 });
    assert.deepEqual(segments.filter((s) => s.marker === 0xe1), [], 'the downloaded photo still has an APP1 (EXIF/XMP) segment');
    assert.ok((await text(page, '#clue-route')).includes(unit.name), await text(page, '#clue-route'));
    for (const lang of LANGS) {
      await page.selectOption('#lang-select', lang);
      await page.waitForFunction((l) => document.documentElement.lang === l, lang);
      assert.deepEqual(await axe(page, `console clue (${lang})`), []);
      await screenshot(page, `console-${lang}-clue`);
    }
  });

  it('acknowledge, then a reply sealed in the browser, which the reporter reads on the follow-up page', { timeout: TEST_MS }, async () => {
    const { page } = work;
    await page.click('#action-acknowledge-submit');
    await attributeIs(page, '#clue-status', 'data-status', 'acknowledged');
    await page.fill('#action-reply-text', REPLY);
    await page.click('#action-reply-submit');
    await attributeIs(page, '#clue-action-status', 'data-i18n', 'action.reply.done');
    assert.ok((await page.locator('#clue-notes li.note-unit').count()) === 1);
    const reporter = await phone(browser, { locale: 'zh-CN' });
    assert.deepEqual(await followupReplies(reporter.page, server, site, state.receipt), [REPLY]);
    assert.deepEqual(reporter.problems, []);
    await reporter.context.close();
  });

  it('closing with an outcome asks first, then the clue is closed', { timeout: TEST_MS }, async () => {
    const { page } = work;
    await page.selectOption('#action-outcome', 'substantiated');
    await page.click('#action-close-submit');
    await page.waitForSelector('dialog.confirm[open]');
    await page.click('#confirm-ok');
    await attributeIs(page, '#clue-status', 'data-status', 'closed');
    assert.ok(await page.isVisible('#clue-outcome'));
    assert.ok((await page.locator('#clue-events li').count()) >= 3);
  });

  it('at 360 px the queue and the clue fit the width', { timeout: TEST_MS }, async () => {
    const { page } = work;
    await page.setViewportSize({ width: 360, height: 740 });
    assert.equal(await horizontalOverflow(page), 0);
    await page.click('a[data-view="queue"]');
    await page.waitForSelector(`#queue-rows tr[data-clue-id="${state.clueId}"]`);
    assert.equal(await horizontalOverflow(page), 0);
    await page.setViewportSize({ width: 1280, height: 860 });
  });

  it('the hot spots count the clue for its site; screenshots and axe-core in both languages', { timeout: TEST_MS }, async () => {
    const { page } = work;
    await page.click('a[data-view="hotspots"]');
    const cell = `#hotspots-table-site tr[data-site-id="${site.id}"] td.count`;
    await page.waitForSelector(cell);
    assert.equal((await text(page, cell)), '1');
    for (const lang of LANGS) {
      await page.selectOption('#lang-select', lang);
      await page.waitForFunction((l) => document.documentElement.lang === l, lang);
      assert.deepEqual(await axe(page, `console hot spots (${lang})`), []);
      await screenshot(page, `console-${lang}-hotspots`);
    }
  });

  it('onboarding: activation shows the fingerprint, a wrong one typed grants nothing, the right one grants the key, the newcomer opens the clue', { timeout: TEST_MS }, async () => {
    const env = { CLUELINE_SESSION_FILE: join(deployment.root, 'admin-session.json') };
    await clueline(['login', '--server', server.url, '--ca-file', deployment.certificate, '--account', admin.name, '--passphrase-file', join(deployment.root, `${admin.name}.pass`)], { env });
    const invitation = await cluelineJson(['account', 'invite', '--server', server.url, '--name', 'new.handler', '--unit', String(unit.id), '--role', 'handler'], { env });
    const newcomer = { name: 'new.handler', passphrase: 'the newcomer chose this passphrase' };

    const fresh = await desktop(browser, { locale: 'zh-CN' });
    await fresh.page.goto(`${server.url}/console/#/activate`);
    await fresh.page.fill('#activate-code', invitation.code);
    await fresh.page.fill('#activate-passphrase', newcomer.passphrase);
    await fresh.page.fill('#activate-passphrase2', newcomer.passphrase);
    await fresh.page.click('#activate-submit');
    await fresh.page.waitForSelector('#activate-fingerprint');
    const fingerprint = (await fresh.page.textContent('#activate-fingerprint')).trim();
    assert.match(fingerprint, /^[0-9a-f]{4}(-[0-9a-f]{4}){4}$/);

    const { page } = work;
    await page.click('a[data-view="queue"]');
    await page.waitForSelector('#awaiting-keys:not([hidden]) button[data-grant="new.handler"]:not([disabled])');
    const item = page.locator('#awaiting-keys li', { has: page.locator('button[data-grant="new.handler"]') });
    const wrong = fingerprint.replace(/^./, (c) => (c === '0' ? '1' : '0'));
    await item.locator('input').fill(wrong);
    await item.locator('button[data-grant="new.handler"]').click();
    await attributeIs(page, '#awaiting-keys [role="alert"]', 'data-i18n', 'grants.mismatch');
    assert.equal(await page.locator('dialog.confirm').count(), 0, 'a mismatch must not even ask');
    await item.locator('input').fill(fingerprint.toUpperCase());
    await item.locator('button[data-grant="new.handler"]').click();
    await page.waitForSelector('dialog.confirm[open]');
    await page.click('#confirm-ok');
    await page.waitForSelector('#awaiting-keys[hidden]', { state: 'attached' });

    await fresh.page.click('#activate-signin-link');
    await consoleSignIn(fresh.page, server, newcomer);
    assert.ok((await heldUnitKeyCount(fresh.page)) >= 1);
    await fresh.page.waitForSelector(`#queue-rows tr[data-clue-id="${state.clueId}"]`);
    await fresh.page.click(`#queue-rows tr[data-clue-id="${state.clueId}"] a`);
    await fresh.page.waitForSelector('#clue-text');
    assert.equal(await fresh.page.textContent('#clue-text'), REPORT_TEXT);
    assert.deepEqual(unexpected(fresh.problems), []);
    await fresh.context.close();
  });

  it('signing out empties the page at once (while the logout is still unanswered), zeroes the unit keys and ends the session', { timeout: TEST_MS }, async () => {
    const { page } = work;
    await page.click('a[data-view="queue"]');
    await page.click(`#queue-rows tr[data-clue-id="${state.clueId}"] a`);
    await page.waitForSelector('#clue-text');
    assert.equal(await page.textContent('#clue-text'), REPORT_TEXT);
    await page.waitForFunction(() => document.getElementById('attachment-0-image')?.complete && document.getElementById('attachment-0-image').naturalWidth > 0);
    const imageUrl = await page.getAttribute('#attachment-0-image', 'src');
    assert.match(imageUrl, /^blob:/);
    assert.equal(await blobImageLoads(page, imageUrl), true);
    assert.ok((await heldUnitKeyCount(page)) >= 1);
    assert.equal(await secretKeysZeroed(page), false, 'held keys should not be zero yet');
    // The logout request hangs: what was decrypted must leave the page without waiting for it.
    const held = await holdRequests(page, '**/api/v1/auth/logout');
    const logout = page.waitForResponse((r) => new URL(r.url()).pathname === '/api/v1/auth/logout');
    await page.click('#signout');
    await held.started();
    await page.waitForSelector('#signin-submit', { state: 'visible' });
    assert.equal(held.answered, false);
    assert.equal(await pageContains(page, REPORT_TEXT.slice(0, 12)), false, 'the report text outlived the sign-out');
    assert.equal(await pageContains(page, CONTACT), false, 'the contact outlived the sign-out');
    assert.equal(await page.locator('#clue-text, #attachment-0-image, #attachment-0-download').count(), 0);
    assert.equal(await blobImageLoads(page, imageUrl), false, 'the photo\'s blob URL was not revoked');
    assert.equal(await heldUnitKeyCount(page), 0);
    assert.equal(await secretKeysZeroed(page), true, 'a secret key array was forgotten but not zeroed');
    await held.release();
    assert.equal((await logout).status(), 200);
    const ended = await rawRequest(server, deployment, { path: '/api/v1/auth/me', headers: { Cookie: state.cookie } });
    assert.equal(ended.status, 401);
    // The probe of the revoked blob URL is the one failed load expected here.
    assert.deepEqual(unexpected(work.problems, [/Failed to load resource: net::ERR_FILE_NOT_FOUND/]), []);
    await work.context.close();
  });
});
