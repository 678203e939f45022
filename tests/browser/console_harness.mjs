// What the console's browser tests share beyond harness.mjs: supervisor
// accounts added offline, a report sent through the citizen page, the
// reporter reading replies on the follow-up page, signing in to the
// console, the console's in-page key count and whether its secret keys
// were zeroed, requests held unanswered (a slow logout), and raw HTTPS
// requests that carry the session cookie as another site would.

import { request } from 'node:https';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { STEP_MS, clueline, cluelineJsonLines, shown, text } from './harness.mjs';

/**
 * A supervisor account added offline (the server must be stopped), with
 * cheap KDF parameters so that sign-in in a test takes well under a second
 * of Argon2id; keyFile: the unit's secret key file, for handler and
 * unit_admin accounts.
 */
export async function addAccount(deployment, { name, unitId, role = 'handler', keyFile, passphrase }) {
  const passphraseFile = join(deployment.root, `${name}.pass`);
  writeFileSync(passphraseFile, `${passphrase}\n`, { mode: 0o600 });
  const args = ['account', 'add', '--data-dir', deployment.dataDir, '--name', name, '--unit', String(unitId), '--role', role,
    '--passphrase-file', passphraseFile, '--kdf-opslimit', '1', '--kdf-memlimit', '67108864'];
  if (keyFile) args.push('--unit-key-file', keyFile);
  await clueline(args);
  return { name, passphrase, unitId, role };
}

/** The unit of this level in the demo deployment, with its secret key file (keys/<name>.key holds its current key). */
export async function demoUnit(deployment, level, nameIncludes = '') {
  const units = await cluelineJsonLines(['unit', 'list', '--data-dir', deployment.dataDir]);
  const unit = units.find((u) => u.level === level && u.name.includes(nameIncludes));
  if (!unit) throw new Error(`no ${level} unit named like "${nameIncludes}" in the demo deployment`);
  const current = unit.keys.find((k) => k.current)?.public_key;
  const pub = readdirSync(deployment.keysDir).find((f) => f.endsWith('.pub') && readFileSync(join(deployment.keysDir, f), 'utf8').trim() === current);
  return { id: unit.id, name: unit.name, level: unit.level, secretKeyFile: pub ? join(deployment.keysDir, pub.replace(/\.pub$/, '.key')) : null };
}

/**
 * Sends a report through the citizen page at /s/<token>, as a phone
 * would; photo: {name, buffer} of a JPEG. Resolves to {clueId, receipt}.
 */
export async function submitReport(page, server, site, { category, accusedLevel, text: reportText, contact, photo }) {
  await page.goto(`${server.url}/s/${site.token}`);
  await shown(page, 'form-view');
  await page.check(`#category-${category}`);
  await page.check(`#level-${accusedLevel}`);
  await page.waitForFunction(() => ['route.goesTo', 'route.failed', 'route.unverified', 'error.noRoute'].includes(document.getElementById('route-text')?.dataset.i18n));
  await page.fill('#report-text', reportText);
  if (contact) await page.fill('#report-contact', contact);
  if (photo) {
    await page.setInputFiles('#report-files', [{ name: photo.name, mimeType: 'image/jpeg', buffer: photo.buffer }]);
    await page.waitForFunction(() => document.querySelectorAll('#file-list li').length === 1 && !document.querySelector('#file-list li.pending'));
  }
  const answer = page.waitForResponse((r) => r.request().method() === 'POST' && new URL(r.url()).pathname === '/api/v1/reports');
  await page.click('#send-button');
  const response = await answer;
  if (response.status() !== 201) throw new Error(`the report was refused: ${response.status()} ${await response.text()}`);
  const clueId = (await response.json()).clue_id;
  await shown(page, 'receipt-view');
  const receipt = (await text(page, '#receipt')).replace(/ /g, '');
  if (photo) {
    await page.waitForFunction(() => document.getElementById('upload-text').dataset.i18n === 'upload.done' || !document.getElementById('upload-error').hidden);
    const uploaded = await page.getAttribute('#upload-text', 'data-i18n');
    if (uploaded !== 'upload.done') throw new Error(`the attachments were not uploaded: ${await text(page, '#upload-box')}`);
  }
  return { clueId, receipt };
}

/** The replies the reporter reads on the follow-up page with the receipt, decrypted there. */
export async function followupReplies(page, server, site, receipt) {
  await page.goto(`${server.url}/s/${site.token}/followup`);
  await shown(page, 'login-view');
  await page.fill('#receipt-input', receipt);
  await page.click('#receipt-submit');
  await page.waitForFunction(() => !document.getElementById('status-view').hidden || !document.getElementById('login-error').hidden);
  if (!(await page.isVisible('#status-view'))) throw new Error(`follow-up sign-in failed: ${await text(page, '#login-error')}`);
  return page.$$eval('#reply-list li.reply .reply-text', (l) => l.map((n) => n.textContent));
}

/**
 * Opens the console and signs in. Resolves to the login answer's
 * response (for its Set-Cookie) once the navigation shows; throws with the
 * sign-in error text otherwise.
 */
export async function consoleSignIn(page, server, account) {
  if (!page.url().startsWith(`${server.url}/console/`)) await page.goto(`${server.url}/console/`);
  await page.waitForSelector('#signin-submit', { state: 'visible' });
  await page.fill('#signin-name', account.name);
  await page.fill('#signin-passphrase', account.passphrase);
  const login = page.waitForResponse((r) => r.request().method() === 'POST' && new URL(r.url()).pathname === '/api/v1/auth/login');
  await page.click('#signin-submit');
  const response = await login;
  await page.waitForFunction(() => !document.getElementById('nav').hidden || !document.getElementById('signin-error')?.hidden, null, { timeout: STEP_MS });
  if (!(await page.isVisible('#nav'))) throw new Error(`console sign-in failed: ${await text(page, '#signin-error')}`);
  return response;
}

/** heldUnitKeyCount() of the keys.mjs the page runs, imported by its served URL (the same module instance). */
export function heldUnitKeyCount(page) {
  return page.evaluate(async () => {
    const shell = document.querySelector('link[rel="modulepreload"][href*="/console/shell.mjs"]').href;
    const keys = await import(new URL('keys.mjs', shell).href);
    return keys.heldUnitKeyCount();
  });
}

/**
 * secretKeysZeroed() of the page's keys.mjs: whether every secret key array
 * the page ever held is all zeros now (false while any key is held).
 */
export function secretKeysZeroed(page) {
  return page.evaluate(async () => {
    const shell = document.querySelector('link[rel="modulepreload"][href*="/console/shell.mjs"]').href;
    const keys = await import(new URL('keys.mjs', shell).href);
    return keys.secretKeysZeroed();
  });
}

/**
 * Holds the page's requests to a path (a glob of page.route) unanswered
 * until release(): started() resolves with the first such request once
 * it reaches the route; answered says whether release() let them go on.
 */
export async function holdRequests(page, glob) {
  const waiting = [];
  let started;
  const startedPromise = new Promise((resolve) => {
    started = resolve;
  });
  const held = {
    answered: false,
    /** Resolves with the first held request; rejects if none came within a step's bound. */
    started() {
      let timer;
      const bound = new Promise((resolve, reject) => {
        timer = setTimeout(() => reject(new Error(`no request to ${glob} within ${STEP_MS} ms`)), STEP_MS);
      });
      return Promise.race([startedPromise, bound]).finally(() => clearTimeout(timer));
    },
    async release() {
      held.answered = true;
      await Promise.all(waiting.splice(0).map((route) => route.continue()));
      await page.unroute(glob, handler);
    },
  };
  const handler = (route) => {
    if (held.answered) return route.continue();
    waiting.push(route);
    started(route.request());
    return undefined;
  };
  await page.route(glob, handler);
  return held;
}

/** Whether any text of the page (its DOM, attributes aside) still contains the marker. */
export function pageContains(page, marker) {
  return page.evaluate((m) => document.documentElement.textContent.includes(m), marker);
}

/** Whether a blob: URL still loads as an image in the page (false once revoked). */
export function blobImageLoads(page, url) {
  return page.evaluate((u) => new Promise((resolve) => {
    const img = new Image();
    img.onload = () => resolve(true);
    img.onerror = () => resolve(false);
    img.src = u;
  }), url);
}

/** Waits until the element's data-* attribute has one of the values. */
export function attributeIs(page, selector, attribute, values) {
  return page.waitForFunction(
    ([selector, attribute, values]) => values.includes(document.querySelector(selector)?.getAttribute(attribute)),
    [selector, attribute, [values].flat()],
    { timeout: STEP_MS },
  );
}

/** Page problems except the console's notes of refused requests the test expects (a 409 that asks for key entries). */
export function unexpected(problems, allowed = []) {
  return problems.filter((p) => !allowed.some((a) => a.test(p)));
}

/**
 * A raw HTTPS request to the server, trusting its certificate only:
 * {status, headers, body}. For requests no page of this origin would make.
 */
export function rawRequest(server, deployment, { method = 'GET', path, headers = {}, body }) {
  return new Promise((resolve, reject) => {
    const req = request({
      host: '127.0.0.1', port: server.port, method, path, headers,
      ca: readFileSync(deployment.certificate),
      checkServerIdentity: () => undefined, // the demo certificate is self-signed for the test host; the CA pin is the check
      timeout: STEP_MS,
    }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.on('timeout', () => req.destroy(new Error('request timed out')));
    if (body !== undefined) req.write(body);
    req.end();
  });
}

/** A desktop browser window (1280×860) with the given languages; problems as harness.mjs phone() collects them. */
export async function desktop(browser, { locale = 'zh-CN' } = {}) {
  const context = await browser.newContext({ locale, viewport: { width: 1280, height: 860 }, acceptDownloads: true });
  context.setDefaultTimeout(STEP_MS);
  const page = await context.newPage();
  const problems = [];
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console error: ${m.text()}`);
  });
  page.on('worker', (w) => w.on('console', (m) => {
    if (m.type() === 'error') problems.push(`worker console error: ${m.text()}`);
  }));
  return { context, page, problems };
}
