// A clue the township sits on reaches the county, seen in the console: the
// township handler sees it received; with the server stopped, one
// escalation pass at a minute past the acknowledge deadline (the injected
// clock of `clueline deadlines run --at`) escalates it; after a restart a
// county handler finds it with the escalated filter and badge, opens it
// (the report was sealed to the county from the start), takes it over, and
// the county handles it: acknowledged, its unit the county. Then the
// county transfers it to the other township, whose key the report was
// never sealed to: the console seals the data key for it, after checking
// that township's certificates, and that township's handler opens it.
// Before that, 409 answers rewritten on the way (a changed unit key, a key
// without its key id) are refused in the page and nothing is sent again.
// Leaving the page ends the session; 15 idle minutes sign out, and empty
// the page and zero the keys before the (held) logout is answered.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { STEP_MS, Server, TEST_MS, cluelineJson, createDeployment, freePort, handlingUnit, launchBrowser, phone, text } from './harness.mjs';
import {
  addAccount,
  attributeIs,
  consoleSignIn,
  demoUnit,
  desktop,
  heldUnitKeyCount,
  holdRequests,
  pageContains,
  rawRequest,
  secretKeysZeroed,
  submitReport,
  unexpected,
} from './console_harness.mjs';

const REPORT_TEXT = '东山村会计挪用低保资金，已有三户没有领到。';
const CATEGORY = 'embezzlement';
const ACCUSED_LEVEL = 'village';

/** Whether check() becomes true within a step's bound, asking every 100 ms (a bounded wait, not a timed assertion). */
async function eventually(check) {
  const deadline = Date.now() + STEP_MS;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return false;
}

/** An RFC 3339 time shifted by seconds, in the API's form. */
function shifted(iso, seconds) {
  return new Date(Date.parse(iso) + seconds * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

describe('escalation in the console: the township sits on a clue, the county takes it over', { timeout: TEST_MS }, () => {
  let deployment;
  let server;
  let browser;
  let township;
  let county;
  let townshipHandler;
  let countyHandler;
  let xishan;
  let xishanHandler;
  const site = {};
  const state = {};

  before(async () => {
    deployment = await createDeployment('console-escalation');
    const first = deployment.sites[0];
    Object.assign(site, { id: first.site_id, name: first.name, token: first.token });
    township = await handlingUnit(deployment, { siteId: site.id, category: CATEGORY, accusedLevel: ACCUSED_LEVEL });
    assert.equal(township.level, 'township');
    county = await demoUnit(deployment, 'county');
    townshipHandler = await addAccount(deployment, { name: 'township.handler', unitId: township.id, keyFile: township.secretKeyFile, passphrase: 'a passphrase for the township handler' });
    countyHandler = await addAccount(deployment, { name: 'county.handler', unitId: county.id, keyFile: county.secretKeyFile, passphrase: 'a passphrase for the county handler' });
    xishan = await demoUnit(deployment, 'township', 'Xishan');
    xishanHandler = await addAccount(deployment, { name: 'xishan.handler', unitId: xishan.id, keyFile: xishan.secretKeyFile, passphrase: 'a passphrase for the xishan handler' });
    server = new Server(deployment, { port: await freePort(), pow: { difficulty: 8 } });
    await server.start();
    browser = await launchBrowser(deployment);
  });

  after(async () => {
    await browser?.close();
    await server?.close();
    deployment?.remove();
  });

  it('a report reaches the township, whose handler sees it received in the console', { timeout: TEST_MS }, async () => {
    const reporter = await phone(browser, { locale: 'zh-CN' });
    Object.assign(state, await submitReport(reporter.page, server, site, { category: CATEGORY, accusedLevel: ACCUSED_LEVEL, text: REPORT_TEXT }));
    assert.deepEqual(reporter.problems, []);
    await reporter.context.close();

    const { page, problems, context } = await desktop(browser, { locale: 'en-US' });
    await consoleSignIn(page, server, townshipHandler);
    const row = `#queue-rows tr[data-clue-id="${state.clueId}"]`;
    await page.waitForSelector(row);
    assert.equal(await page.getAttribute(row, 'data-status'), 'received');
    assert.equal(await page.locator(`${row} [data-badge="escalatedToUs"]`).count(), 0);
    state.acknowledgeBy = await page.getAttribute(`${row} td.deadline time`, 'datetime');
    assert.ok(state.acknowledgeBy, 'no acknowledge deadline in the row');
    // Leaving the page without signing out ends the session too (pagehide, a keepalive logout).
    const cookie = (await context.cookies()).find((c) => c.name.startsWith('__Host-'));
    const me = () => rawRequest(server, deployment, { path: '/api/v1/auth/me', headers: { Cookie: `${cookie.name}=${cookie.value}` } });
    assert.equal((await me()).status, 200);
    await page.goto('about:blank');
    assert.equal(await eventually(async () => (await me()).status === 401), true, 'the session outlived the page');
    assert.deepEqual(unexpected(problems), []);
    await context.close();
  });

  it('with the server stopped, an escalation pass a minute past the deadline escalates it to the county', { timeout: TEST_MS }, async () => {
    assert.ok(state.acknowledgeBy, 'no deadline from the township step');
    await server.stop();
    const pass = await cluelineJson(['deadlines', 'run', '--at', shifted(state.acknowledgeBy, 60), '--data-dir', deployment.dataDir]);
    assert.equal(pass.escalations, 1, JSON.stringify(pass));
    await server.start();
  });

  it('the county handler finds it escalated, opens it, takes it over, and the county handles it', { timeout: TEST_MS }, async () => {
    const { page, problems, context } = await desktop(browser, { locale: 'zh-CN' });
    await consoleSignIn(page, server, countyHandler);
    await page.waitForSelector('#queue-filters');
    await page.selectOption('#queue-escalated', '1');
    await page.click('#queue-apply');
    const row = `#queue-rows tr[data-clue-id="${state.clueId}"]`;
    await page.waitForSelector(`${row} [data-badge="escalatedToUs"]`);
    assert.equal(await page.locator('#queue-rows tr').count(), 1);
    await page.click(`${row} a`);
    await page.waitForSelector('#clue-text');
    assert.equal(await page.textContent('#clue-text'), REPORT_TEXT);
    assert.equal(await page.getAttribute('#clue-relation', 'data-i18n'), 'clue.relation.escalated');
    assert.ok((await page.locator('#clue-escalations li').count()) === 1, await text(page, '#clue-history'));
    await page.click('#action-take_over-submit');
    await page.waitForSelector('dialog.confirm[open]');
    await page.click('#confirm-ok');
    await attributeIs(page, '#clue-relation', 'data-i18n', 'clue.relation.handling');
    assert.equal(await page.getAttribute('#clue-status', 'data-status'), 'acknowledged');
    assert.equal(await page.getAttribute('#clue-unit', 'data-unit-id'), String(county.id));
    // The county works it now: the next step is its own.
    assert.ok(await page.isVisible('#action-investigate-submit'));
    state.countyPage = { page, problems, context };
  });

  it('the county transfers it to a township it was never sealed to: the data key is sealed for it in the browser, and that township opens it', { timeout: TEST_MS }, async () => {
    assert.ok(state.countyPage, 'no county session from the take-over step');
    const { page, problems, context } = state.countyPage;
    assert.ok(await page.locator(`#action-to option[value="${xishan.id}"]`).count() === 1, await text(page, '#action-to'));
    // A server that answers the 409 with keys that do not check out gets nothing sealed and no second request.
    const actions = `**/api/v1/clues/${state.clueId}/actions`;
    const flip = (b64) => (b64[0] === 'A' ? 'B' : 'A') + b64.slice(1);
    const tampers = [
      ['a changed public key', (k) => ({ ...k, public_key: flip(k.public_key) })],
      ['a key without its key id', ({ key_id: _omitted, ...k }) => k],
    ];
    for (const [what, tamper] of tampers) {
      const posts = [];
      const onRequest = (r) => {
        if (r.method() === 'POST' && new URL(r.url()).pathname.endsWith('/actions')) posts.push(r.postDataJSON());
      };
      page.on('request', onRequest);
      // The request goes on to the server as it was (from here, trusting the deployment's certificate only);
      // only its 409 answer is rewritten on the way back.
      const rewrite = async (route) => {
        const request = route.request();
        const headers = await request.allHeaders();
        delete headers['accept-encoding'];
        const answer = await rawRequest(server, deployment, { method: request.method(), path: new URL(request.url()).pathname, headers, body: request.postData() ?? undefined });
        if (answer.status !== 409) return route.fulfill({ status: answer.status, contentType: answer.headers['content-type'], body: answer.body });
        const body = JSON.parse(answer.body);
        if (Array.isArray(body?.unit?.keys)) body.unit.keys = body.unit.keys.map(tamper);
        return route.fulfill({ status: 409, json: body });
      };
      await page.route(actions, rewrite);
      await page.selectOption('#action-to', String(xishan.id));
      await page.fill('#action-transfer-reason', '项目由西山乡管理');
      await page.click('#action-transfer-submit');
      await page.waitForSelector('dialog.confirm[open]');
      await page.click('#confirm-ok');
      // The form hid the error box on submit, before the dialog opened; its
      // text may still be the previous round's, so wait for it to be shown again.
      await page.waitForSelector('#action-transfer-error', { state: 'visible' });
      await attributeIs(page, '#action-transfer-error', 'data-i18n', 'clue.error.unverified');
      assert.ok(await page.isVisible('#action-transfer-error'), what);
      // The refusal is shown once resealFor has thrown, which is before any second request could be made.
      assert.equal(posts.length, 1, `${what}: ${JSON.stringify(posts)}`);
      assert.equal(posts[0].key_entries, undefined, what);
      assert.equal(await page.getAttribute('#clue-unit', 'data-unit-id'), String(county.id), what);
      page.off('request', onRequest);
      await page.unroute(actions, rewrite);
    }
    await page.selectOption('#action-to', String(xishan.id));
    await page.fill('#action-transfer-reason', '项目由西山乡管理');
    const moves = [];
    page.on('response', (r) => {
      if (r.request().method() === 'POST' && new URL(r.url()).pathname.endsWith('/actions')) moves.push({ status: r.status(), body: r.request().postDataJSON() });
    });
    await page.click('#action-transfer-submit');
    await page.waitForSelector('dialog.confirm[open]');
    await page.click('#confirm-ok');
    await page.waitForFunction((id) => document.getElementById('clue-unit')?.dataset.unitId === id || document.getElementById('queue-rows') !== null, String(xishan.id));
    // First refused for want of Xishan's key, then sent again with the data key sealed to it.
    assert.deepEqual(moves.map((m) => m.status), [409, 200], JSON.stringify(moves));
    assert.equal(moves[0].body.key_entries, undefined);
    assert.equal(moves[1].body.key_entries.length, 1);
    await page.click('#signout');
    await page.waitForSelector('#signin-submit', { state: 'visible' });
    assert.equal(await heldUnitKeyCount(page), 0);
    assert.equal(await secretKeysZeroed(page), true, 'a secret key array was forgotten but not zeroed');
    assert.deepEqual(unexpected(problems, [/status of 409/]), []);
    await context.close();

    const xishanSession = await desktop(browser, { locale: 'zh-CN' });
    // The page's clock is the test's, so that 15 idle minutes pass at once.
    await xishanSession.context.clock.install();
    await consoleSignIn(xishanSession.page, server, xishanHandler);
    await xishanSession.page.click(`#queue-rows tr[data-clue-id="${state.clueId}"] a`);
    await xishanSession.page.waitForSelector('#clue-text');
    assert.equal(await xishanSession.page.textContent('#clue-text'), REPORT_TEXT);
    assert.equal(await xishanSession.page.getAttribute('#clue-status', 'data-status'), 'received');
    // 15 minutes without input sign out: the page is emptied and the keys
    // zeroed at once, though the logout request hangs unanswered.
    assert.ok((await heldUnitKeyCount(xishanSession.page)) >= 1);
    assert.equal(await secretKeysZeroed(xishanSession.page), false, 'held keys should not be zero yet');
    const held = await holdRequests(xishanSession.page, '**/api/v1/auth/logout');
    await xishanSession.page.clock.fastForward('15:01');
    await held.started();
    await xishanSession.page.waitForSelector('#signin-submit', { state: 'visible' });
    assert.equal(held.answered, false);
    assert.equal(await pageContains(xishanSession.page, REPORT_TEXT), false, 'the report text outlived the idle time-out');
    assert.equal(await xishanSession.page.locator('#clue-text').count(), 0);
    assert.equal(await xishanSession.page.getAttribute('#view p.notice', 'data-i18n'), 'signin.notice.idle');
    assert.equal(await heldUnitKeyCount(xishanSession.page), 0);
    assert.equal(await secretKeysZeroed(xishanSession.page), true, 'a secret key array was forgotten but not zeroed');
    await held.release();
    assert.deepEqual(unexpected(xishanSession.problems), []);
    await xishanSession.context.close();
  });
});
