// Acceptance checks 1 and 2 of the citizen pages, on a phone in Chinese:
// the printed poster's QR code leads to the report page; a report with a
// photo carrying EXIF GPS data reaches the handling unit, which opens the
// exact text and a photo without metadata; with the receipt, the reporter
// reads the unit's reply on the follow-up page and writes back, and the
// unit opens that message. Every step goes through the real binary: the
// poster through pdftoppm and the ZXing reader, the report through the
// server and its database, the unit's side through the CLI.

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';

import {
  CAMERA_MAKE,
  GPS_LATITUDE_BYTES,
  STEP_MS,
  Server,
  TEST_MS,
  XMP_TOOL,
  axe,
  canvasJpeg,
  clueline,
  cluelineJson,
  cluelineJsonLines,
  createDeployment,
  freePort,
  handlingUnit,
  i18nKey,
  jpegStructure,
  launchBrowser,
  phone,
  servedCatalog,
  shown,
  text,
  untranslated,
  withExifGps,
} from './harness.mjs';

const run = promisify(execFile);

const REPORT_TEXT = '东山村村主任王某在宅基地审批中每户收取"手续费"五千元，不交钱就不盖章。\n去年十月以来至少有十二户交过，收据都没有。';
const CONTACT = '每周三下午在村口小卖部可以找到我';
const REPLY = '您好，您反映的宅基地审批收费问题已登记，我们将派人到东山村核实。';
const MESSAGE = '补充：收钱一般在每月初，地点是村委会二楼办公室。';
const PASSPHRASE = 'a passphrase for the township handler';
const CATEGORY = 'bribery';
const ACCUSED_LEVEL = 'village';

describe('a poster on the wall, a report from a phone in Chinese, the unit and the reporter in touch', { timeout: TEST_MS }, () => {
  let deployment;
  let unit;
  let server;
  let browser;
  let phoneSession;
  const site = {};
  const state = {};
  const session = {};

  before(async () => {
    deployment = await createDeployment('flow');
    const first = deployment.sites[0];
    Object.assign(site, { id: first.site_id, name: first.name, token: first.token });
    unit = await handlingUnit(deployment, { siteId: site.id, category: CATEGORY, accusedLevel: ACCUSED_LEVEL });
    // A handler of the handling unit, so that the unit can reply and read
    // messages through the server (offline: the server is not running yet).
    session.passphraseFile = join(deployment.root, 'handler.pass');
    writeFileSync(session.passphraseFile, `${PASSPHRASE}\n`, { mode: 0o600 });
    session.account = 'township.handler';
    session.env = { CLUELINE_SESSION_FILE: join(deployment.root, 'handler-session.json') };
    await clueline([
      'account', 'add', '--data-dir', deployment.dataDir, '--name', session.account, '--unit', String(unit.id), '--role', 'handler',
      '--unit-key-file', unit.secretKeyFile, '--passphrase-file', session.passphraseFile, '--kdf-opslimit', '1', '--kdf-memlimit', '65536',
    ]);
    // The poster must carry the server's URL before the server starts, so
    // the port is chosen here; a low proof-of-work difficulty keeps the
    // sanitizer runs short (the figures test keeps the default).
    server = new Server(deployment, { port: await freePort(), pow: { difficulty: 8 } });
    browser = await launchBrowser(deployment);
  });

  after(async () => {
    await browser?.close();
    await server?.close();
    deployment?.remove();
  });

  it('the printed poster is an A4 PDF whose QR code decodes, genuine, to the site\'s page on this server', { timeout: TEST_MS }, async () => {
    const pdf = join(deployment.root, 'posters.pdf');
    const [printed] = await cluelineJsonLines([
      'site', 'poster', '--id', String(site.id), '--signing-key', deployment.signingKey,
      '--base-url', server.url, '--out', pdf, '--data-dir', deployment.dataDir,
    ]);
    assert.equal(readFileSync(pdf).subarray(0, 5).toString('latin1'), '%PDF-');
    const info = (await run('pdfinfo', [pdf])).stdout;
    assert.match(info, /^Pages:\s+1$/m, info);
    assert.match(info, /^Page size:.*\(A4\)/m, info);

    // The printed sheet as an image (150 dpi), read back by the ZXing
    // reader as a unit checking a photo of a poster would.
    await run('pdftoppm', ['-png', '-r', '150', pdf, join(deployment.root, 'poster')], { timeout: STEP_MS });
    const png = readdirSync(deployment.root).find((f) => /^poster-\d+\.png$/.test(f));
    assert.ok(png, 'pdftoppm wrote no page image');
    const checked = await cluelineJson(['site', 'verify', join(deployment.root, png), '--base-url', server.url, '--data-dir', deployment.dataDir]);
    assert.equal(checked.verdict, 'genuine', JSON.stringify(checked));
    assert.equal(checked.codes.length, 1, JSON.stringify(checked));
    const [code] = checked.codes;
    assert.equal(code.verdict, 'genuine');
    assert.equal(code.site_id, site.id);
    assert.equal(code.text, `${server.url}/s/${site.token}`);
    assert.equal(code.poster_code, printed.poster_code);
    state.url = code.text;
    state.posterCode = printed.poster_code;
  });

  it('a phone opens the decoded URL, switches to Chinese and sends a report with a GPS-tagged photo; the receipt is shown', { timeout: TEST_MS }, async () => {
    assert.ok(state.url, 'no URL from the poster step');
    await server.start();
    // An English phone: choosing Chinese is the reader's own act here.
    phoneSession = await phone(browser, { locale: 'en-US' });
    const { page, problems } = phoneSession;
    await page.goto(state.url);
    await shown(page, 'form-view');
    assert.equal(await page.getAttribute('html', 'lang'), 'en');
    await page.selectOption('#lang-select', 'zh-CN');
    await page.waitForFunction(() => document.documentElement.lang === 'zh-CN');
    assert.match(new URL(page.url()).hash, /lang=zh-CN/);
    assert.deepEqual(await untranslated(page, await servedCatalog(page, 'zh-CN')), []);
    // The code under the printed QR code is the one the page shows, so a
    // reader can compare them.
    assert.ok((await text(page, '#site-poster-code')).includes(state.posterCode), await text(page, '#site-poster-code'));
    assert.ok((await text(page, '#site-intro')).includes(site.name));

    await page.check(`#category-${CATEGORY}`);
    await page.check(`#level-${ACCUSED_LEVEL}`);
    await i18nKey(page, 'route-text', ['route.goesTo', 'route.failed', 'route.unverified', 'error.noRoute']);
    assert.equal(await page.getAttribute('#route-text', 'data-i18n'), 'route.goesTo');
    assert.ok((await text(page, '#route-text')).includes(unit.name), await text(page, '#route-text'));
    await page.fill('#report-text', REPORT_TEXT);
    await page.fill('#report-contact', CONTACT);

    // The camera's photo: 400×200 stored sideways (orientation 6), with
    // the position where it was taken.
    const photo = withExifGps(await canvasJpeg(page, 400, 200), { orientation: 6 });
    assert.ok(photo.includes(Buffer.from('Exif\0\0', 'latin1')) && photo.includes(GPS_LATITUDE_BYTES), 'the test photo lacks its EXIF GPS data');
    await page.setInputFiles('#report-files', [{ name: 'IMG_20261123_101500.jpg', mimeType: 'image/jpeg', buffer: photo }]);
    await page.waitForFunction(() => document.querySelectorAll('#file-list li').length === 1 && !document.querySelector('#file-list li.pending'));
    assert.match(await page.getAttribute('#file-list li', 'class'), /\bcleaned\b/, await text(page, '#file-list'));

    const answer = page.waitForResponse((r) => r.request().method() === 'POST' && new URL(r.url()).pathname === '/api/v1/reports');
    await page.click('#send-button');
    const response = await answer;
    assert.equal(response.status(), 201, await response.text());
    state.clueId = (await response.json()).clue_id;
    await shown(page, 'receipt-view');
    state.receipt = await text(page, '#receipt');
    assert.match(state.receipt, /^\d{5}(?: ?- ?\d{5}){4}$/);
    state.receipt = state.receipt.replace(/ /g, '');
    assert.ok(await page.isVisible('#receipt-deadlines'));
    await page.waitForFunction(() => document.getElementById('upload-text').dataset.i18n === 'upload.done' || !document.getElementById('upload-error').hidden);
    assert.equal(await page.getAttribute('#upload-text', 'data-i18n'), 'upload.done', await text(page, '#upload-box'));
    // Nothing of the report stays in the form once it is stored.
    assert.equal(await page.inputValue('#report-text'), '');
    assert.equal(await page.inputValue('#report-contact'), '');
    assert.deepEqual(problems, []);
  });

  it('the unit opens the clue with its key: the exact Chinese text, and the photo upright without EXIF, GPS or XMP', { timeout: TEST_MS }, async () => {
    assert.ok(state.clueId, 'no clue from the report step');
    await server.stop();
    const attachments = join(deployment.root, 'opened');
    const opened = await cluelineJson([
      'open', '--secret-key-file', unit.secretKeyFile, '--data-dir', deployment.dataDir, '--clue', state.clueId, '--attachments-dir', attachments,
    ]);
    assert.equal(opened.body.text, REPORT_TEXT);
    assert.equal(opened.body.contact, CONTACT);
    const files = readdirSync(attachments);
    assert.equal(files.length, 1, files.join(', '));
    const jpeg = readFileSync(join(attachments, files[0]));
    const { segments, frame } = jpegStructure(jpeg);
    assert.deepEqual(segments.filter((s) => s.marker === 0xe1).map((s) => s.data.subarray(0, 32).toString('latin1')), [], 'an APP1 segment (EXIF or XMP) is left');
    for (const [what, bytes] of [
      ['an EXIF header', Buffer.from('Exif\0\0', 'latin1')],
      ['the GPS latitude', GPS_LATITUDE_BYTES],
      ['the camera make', Buffer.from(CAMERA_MAKE, 'latin1')],
      ['the XMP packet', Buffer.from('ns.adobe.com/xap', 'latin1')],
      ['the XMP creator tool', Buffer.from(XMP_TOOL, 'latin1')],
    ]) {
      assert.equal(jpeg.indexOf(bytes), -1, `the opened photo still holds ${what}`);
    }
    // Re-encoded upright: the sideways 400×200 becomes 200×400 with the
    // red half on top, so the pixels survived the cleaning.
    assert.deepEqual(frame, { width: 200, height: 400 });
    const colours = await phoneSession.page.evaluate(async (base64) => {
      const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
      const bitmap = await createImageBitmap(new Blob([bytes], { type: 'image/jpeg' }));
      const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
      const ctx = canvas.getContext('2d');
      ctx.drawImage(bitmap, 0, 0);
      const at = (x, y) => Array.from(ctx.getImageData(x, y, 1, 1).data.slice(0, 3));
      return { top: at(100, 100), bottom: at(100, 300) };
    }, jpeg.toString('base64'));
    const near = ([r, g, b], [R, G, B]) => Math.abs(r - R) < 40 && Math.abs(g - G) < 40 && Math.abs(b - B) < 40;
    assert.ok(near(colours.top, [255, 0, 0]) && near(colours.bottom, [0, 0, 255]), JSON.stringify(colours));
    await server.start();
  });

  it('a reply sent through the supervisor API is shown decrypted on the follow-up page opened with the receipt', { timeout: TEST_MS }, async () => {
    assert.ok(state.receipt && state.clueId, 'no receipt from the report step');
    await clueline(['login', '--server', server.url, '--ca-file', deployment.certificate, '--account', session.account, '--passphrase-file', session.passphraseFile], { env: session.env });
    await clueline(['reply', state.clueId, '--text', REPLY, '--server', server.url], { env: session.env });

    const { page, problems } = phoneSession;
    // The receipt page's own link, which keeps the language.
    await page.click('#receipt-followup');
    await shown(page, 'login-view');
    assert.equal(new URL(page.url()).pathname, `/s/${site.token}/followup`);
    assert.equal(await page.getAttribute('html', 'lang'), 'zh-CN');
    await page.fill('#receipt-input', state.receipt);
    await page.click('#receipt-submit');
    await page.waitForFunction(() => !document.getElementById('status-view').hidden || !document.getElementById('login-error').hidden);
    assert.ok(await page.isVisible('#status-view'), await text(page, '#login-error'));
    assert.deepEqual(await page.$$eval('#reply-list li.reply .reply-text', (l) => l.map((n) => n.textContent)), [REPLY]);
    assert.ok(await page.isHidden('#no-replies'));
    assert.ok((await text(page, '#status-list')).includes(unit.name));
    assert.deepEqual(await untranslated(page, await servedCatalog(page, 'zh-CN')), []);
    assert.deepEqual(await axe(page, 'follow-up status with a reply (zh-CN)'), []);
    assert.deepEqual(problems, []);
  });

  it('a message written on the follow-up page is opened by the unit', { timeout: TEST_MS }, async () => {
    const { page, problems } = phoneSession;
    assert.ok(await page.isVisible('#status-view'), 'the follow-up page is not open');
    await page.fill('#message-text', MESSAGE);
    await page.click('#message-send');
    await page.waitForFunction(() => document.getElementById('message-status').dataset.i18n === 'followup.messageSent' || !document.getElementById('message-error').hidden);
    assert.equal(await page.getAttribute('#message-status', 'data-i18n'), 'followup.messageSent', await text(page, '#message-error'));
    // The page says "sent" first and then reloads the list from the server.
    await page.waitForFunction(() => document.querySelectorAll('#message-list li').length > 0);
    assert.equal(await page.locator('#message-list li').count(), 1);

    const listed = await cluelineJsonLines(['messages', state.clueId, '--passphrase-file', session.passphraseFile, '--server', server.url], { env: session.env });
    const fromReporter = listed.filter((m) => m.from === 'reporter');
    assert.deepEqual(fromReporter.map((m) => m.text), [MESSAGE], JSON.stringify(listed));
    // The reply was sealed to the reporter alone: the unit sees that it
    // replied, never its text.
    assert.equal(listed.filter((m) => m.from === 'unit').length, 1, JSON.stringify(listed));
    assert.ok(!JSON.stringify(listed).includes(REPLY), JSON.stringify(listed));
    assert.deepEqual(problems, []);
  });
});
