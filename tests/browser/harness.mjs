// What the browser tests share: a demo deployment in a fresh directory, a
// real `clueline serve` on it, the clueline CLI, Debian's Chromium driven by
// playwright-core with a phone's viewport, axe-core, and test photos.
//
// Environment: CLUELINE_BIN (the binary under test, required),
// CLUELINE_BROWSER_OUT (screenshots, figures.json, server logs; a temporary
// directory if unset), CLUELINE_CHROMIUM (default /usr/lib/chromium/chromium).
//
// Every wait is bounded by a generous timeout, never by a timed assertion:
// the same tests run against a sanitizer build of the server, several times
// slower, two test files at once.

import { execFile, spawn } from 'node:child_process';
import { X509Certificate, createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, openSync, closeSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

// The npm modules live in web/node_modules, which is no ancestor of this
// directory: resolve them from web/, whatever the working directory.
const WEB_DIR = fileURLToPath(new URL('../../web/', import.meta.url));
const requireFromWeb = createRequire(join(WEB_DIR, 'package.json'));
const { chromium } = requireFromWeb('playwright-core');
const AXE_SOURCE = readFileSync(requireFromWeb.resolve('axe-core/axe.min.js'), 'utf8');

export const BIN = process.env.CLUELINE_BIN;
if (!BIN) throw new Error('CLUELINE_BIN must name the clueline binary under test (ctest sets it)');
export const OUT = process.env.CLUELINE_BROWSER_OUT || mkdtempSync(join(tmpdir(), 'clueline-browser-out-'));
mkdirSync(OUT, { recursive: true });
const CHROMIUM = process.env.CLUELINE_CHROMIUM || '/usr/lib/chromium/chromium';

/** Generous bounds for one step; a sanitizer build is slow, a failure is still found. */
export const STEP_MS = 120_000;
export const TEST_MS = 600_000;

// ---------------------------------------------------------------------------
// The CLI

/**
 * The environment for the binary: the test's own CLUELINE_* variables
 * removed, since the binary takes every CLUELINE_* name as a setting and
 * refuses the ones it does not know; extra added.
 */
function childEnv(extra = {}) {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('CLUELINE_')));
  return { ...env, ...extra };
}

export class CliError extends Error {
  constructor(args, result) {
    super(`clueline ${args.join(' ')} exited with ${result.code ?? result.signal}:\n${result.stderr || '(no stderr)'}${result.stdout ? `\nstdout:\n${result.stdout}` : ''}`);
    this.result = result;
  }
}

/**
 * Runs `clueline ARGS`. Resolves to {code, signal, stdout, stderr}; rejects
 * with the command and its stderr when it does not exit 0, unless
 * allowFailure.
 */
export function clueline(args, { env = {}, allowFailure = false, timeout = STEP_MS } = {}) {
  return new Promise((resolve, reject) => {
    execFile(BIN, args, { env: childEnv(env), timeout, maxBuffer: 64 << 20, encoding: 'utf8' }, (error, stdout, stderr) => {
      const result = { code: error ? (typeof error.code === 'number' ? error.code : null) : 0, signal: error?.signal ?? null, stdout, stderr };
      if (error && typeof error.code !== 'number' && !error.signal) {
        reject(new Error(`cannot run ${BIN}: ${error.message}`));
      } else if (result.code !== 0 && !allowFailure) {
        reject(new CliError(args, result));
      } else {
        resolve(result);
      }
    });
  });
}

/** `clueline ARGS --json`: one JSON value, or a list for one value per line. */
export async function cluelineJson(args, options) {
  const { stdout } = await clueline([...args, '--json'], options);
  const lines = stdout.split('\n').filter((l) => l.trim() !== '');
  try {
    return lines.length === 1 ? JSON.parse(lines[0]) : lines.map((l) => JSON.parse(l));
  } catch (e) {
    throw new Error(`clueline ${args.join(' ')} --json printed no JSON (${e.message}):\n${stdout}`);
  }
}

/** Each JSON line of `clueline ARGS --json` (a list even for one line). */
export async function cluelineJsonLines(args, options) {
  const value = await cluelineJson(args, options);
  return Array.isArray(value) ? value : [value];
}

// ---------------------------------------------------------------------------
// A deployment: `clueline demo --setup-only` in a fresh directory

/**
 * A new demo deployment (units with keys, four sites, a self-signed
 * certificate) in a fresh temporary directory; remove() deletes it.
 */
export async function createDeployment(name) {
  const root = mkdtempSync(join(tmpdir(), `clueline-browser-${name}-`));
  const dataDir = join(root, 'data');
  try {
    await clueline(['demo', '--data-dir', dataDir, '--setup-only']);
  } catch (e) {
    rmSync(root, { recursive: true, force: true });
    throw e;
  }
  const keysDir = join(dataDir, 'keys');
  return {
    name,
    root,
    dataDir,
    keysDir,
    certificate: join(dataDir, 'demo-cert.pem'),
    privateKey: join(dataDir, 'demo-key.pem'),
    signingKey: join(keysDir, 'site-signing.key'),
    sites: JSON.parse(readFileSync(join(dataDir, 'demo-sites.json'), 'utf8')),
    remove: () => rmSync(root, { recursive: true, force: true }),
  };
}

/**
 * Where a clue of this kind from site siteId goes (`route explain`, server
 * stopped), and the secret key file of that unit: the one in keys/ whose
 * public half is the unit's current key.
 */
export async function handlingUnit(deployment, { siteId, category, accusedLevel }) {
  const route = await cluelineJson(['route', 'explain', '--site', String(siteId), '--category', category, '--accused-level', accusedLevel, '--data-dir', deployment.dataDir]);
  const units = await cluelineJsonLines(['unit', 'list', '--data-dir', deployment.dataDir]);
  const unit = units.find((u) => u.id === route.unit_id);
  if (!unit) throw new Error(`route explain named unit ${route.unit_id}, which unit list lacks`);
  const current = unit.keys.find((k) => k.current)?.public_key;
  const pub = readdirSync(deployment.keysDir).find((f) => f.endsWith('.pub') && readFileSync(join(deployment.keysDir, f), 'utf8').trim() === current);
  if (!pub) throw new Error(`no key file in ${deployment.keysDir} holds the current key of unit ${unit.id}`);
  return { id: unit.id, name: unit.name, level: unit.level, secretKeyFile: join(deployment.keysDir, pub.replace(/\.pub$/, '.key')) };
}

/** A port free right now on 127.0.0.1 (for a URL that must be known before the server starts). */
export function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.unref();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

// ---------------------------------------------------------------------------
// The server

const running = new Set();
// A test process that dies on an exception must not leave servers behind.
process.on('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

/**
 * `clueline serve` on the deployment's data directory. port 0 lets the
 * server pick one; pow is the [pow] table ({} keeps the defaults).
 */
export class Server {
  constructor(deployment, { port = 0, pow = {}, label = deployment.name } = {}) {
    this.deployment = deployment;
    this.port = port;
    this.pow = pow;
    this.label = label;
    this.starts = 0;
  }

  get url() {
    return `https://127.0.0.1:${this.port}`;
  }

  config() {
    const q = (s) => JSON.stringify(s);
    const pow = Object.entries(this.pow).map(([k, v]) => `${k} = ${v}\n`).join('');
    return (
      `[server]\naddress = "127.0.0.1"\nport = ${this.port}\nthreads = 2\n` +
      `tls_certificate = ${q(this.deployment.certificate)}\ntls_private_key = ${q(this.deployment.privateKey)}\n` +
      `[ops]\naddress = "127.0.0.1"\nport = 0\nmin_free_disk_bytes = 1048576\n` +
      `[storage]\ndata_dir = ${q(this.deployment.dataDir)}\n` +
      (pow ? `[pow]\n${pow}` : '')
    );
  }

  /** Starts it and waits until it says where it serves (a minute and more under sanitizers). */
  async start() {
    const configFile = join(this.deployment.root, 'clueline.toml');
    writeFileSync(configFile, this.config());
    const logs = join(OUT, 'logs');
    mkdirSync(logs, { recursive: true });
    this.starts += 1;
    const base = join(logs, `${this.label}.${this.starts}`);
    this.stderrFile = `${base}.stderr.log`;
    this.accessFile = `${base}.access.log`;
    const stdout = openSync(this.accessFile, 'w');
    const stderr = openSync(this.stderrFile, 'w');
    const child = spawn(BIN, ['serve', '--config', configFile], { stdio: ['ignore', stdout, stderr], env: childEnv() });
    closeSync(stdout);
    closeSync(stderr);
    running.add(child);
    this.child = child;
    this.exited = new Promise((resolve) => child.on('exit', (code, signal) => {
      running.delete(child);
      resolve({ code, signal });
    }));
    let exit = null;
    this.exited.then((e) => (exit = e));
    const deadline = Date.now() + STEP_MS;
    for (;;) {
      const text = this.stderr();
      const m = /serving https:\/\/127\.0\.0\.1:(\d+)\//.exec(text);
      if (m) {
        this.port = Number(m[1]);
        return this;
      }
      if (exit) throw new Error(`clueline serve exited during start-up (${exit.code ?? exit.signal}):\n${text}`);
      if (Date.now() > deadline) throw new Error(`clueline serve did not say where it serves:\n${text}`);
      await sleep(50);
    }
  }

  /** SIGTERM, and the clean exit that promises (in-flight requests finished, database closed). */
  async stop() {
    if (!this.child || this.child.exitCode !== null || this.child.signalCode !== null) return this.exited;
    this.child.kill('SIGTERM');
    let timer;
    const result = await Promise.race([this.exited, new Promise((resolve) => (timer = setTimeout(resolve, STEP_MS, null)))]);
    clearTimeout(timer);
    if (!result) {
      this.child.kill('SIGKILL');
      throw new Error(`clueline serve did not stop within ${STEP_MS} ms of SIGTERM:\n${this.stderr()}`);
    }
    if (result.code !== 0) throw new Error(`clueline serve exited with ${result.code ?? result.signal} after SIGTERM:\n${this.stderr()}`);
    return result;
  }

  /** For clean-up: a graceful stop if it still runs, else (or after a failure) SIGKILL; never throws. */
  async close() {
    try {
      await this.stop();
    } catch (e) {
      console.log(`stopping the server: ${e.message}`);
      this.kill();
    }
  }

  kill() {
    if (this.child && this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
  }

  stderr() {
    try {
      return readFileSync(this.stderrFile, 'utf8');
    } catch {
      return '';
    }
  }

  accessLog() {
    try {
      return readFileSync(this.accessFile, 'utf8');
    } catch {
      return '';
    }
  }
}

// ---------------------------------------------------------------------------
// The browser

/** The base64 SHA-256 of a PEM certificate's public key, as Chromium's SPKI allow-list wants it. */
function spkiHash(pemFile) {
  const certificate = new X509Certificate(readFileSync(pemFile));
  return createHash('sha256').update(certificate.publicKey.export({ type: 'spki', format: 'der' })).digest('base64');
}

/**
 * Debian's Chromium, trusting the deployment's self-signed certificate
 * only (its key on the SPKI allow-list, rather than ignoring every
 * certificate error). Each launch gets a fresh temporary profile from
 * playwright: no cache, cookies or storage from an earlier run.
 */
export async function launchBrowser(deployment) {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--no-sandbox', '--headless', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
      `--ignore-certificate-errors-spki-list=${spkiHash(deployment.certificate)}`,
    ],
    timeout: STEP_MS,
  });
}

/**
 * A phone: 360×740 CSS pixels at 2×, touch, with the given languages.
 * problems collects page errors and console errors, which the tests show
 * on failure.
 */
export async function phone(browser, { locale = 'en-US' } = {}) {
  const context = await browser.newContext({
    locale,
    viewport: { width: 360, height: 740 },
    deviceScaleFactor: 2,
    isMobile: true,
    hasTouch: true,
  });
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

/** Runs axe-core on the page as it is now; prints every violation and returns the serious and critical ones. */
export async function axe(page, label) {
  // Evaluated through the DevTools protocol: the page's CSP (script-src
  // 'self') rightly refuses an injected script tag.
  await page.evaluate(AXE_SOURCE);
  const { violations, passed } = await page.evaluate(async () => {
    const result = await window.axe.run(document, { resultTypes: ['violations'] });
    return {
      violations: result.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => n.target.join(' ')) })),
      passed: result.passes.length,
    };
  });
  // A run that checked nothing (an empty or unrendered page) must not pass as clean.
  if (passed === 0) throw new Error(`axe ${label}: no rule applied to the page`);
  console.log(`axe ${label}: ${violations.length} violation(s), ${passed} rule(s) passed`);
  for (const v of violations) console.log(`  [${v.impact}] ${v.id}: ${v.help} — ${v.nodes.slice(0, 5).join(', ')}${v.nodes.length > 5 ? ', …' : ''}`);
  return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}

/** A screenshot of the whole page at the phone's width under OUT/screenshots/. */
export async function screenshot(page, name) {
  const dir = join(OUT, 'screenshots');
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

/** Text of an element with whitespace runs made single spaces. */
export async function text(page, selector) {
  return ((await page.textContent(selector)) ?? '').replace(/\s+/g, ' ').trim();
}

/** Waits until the element with this id is shown (its hidden attribute gone). */
export function shown(page, id, timeout = STEP_MS) {
  return page.waitForSelector(`#${id}:not([hidden])`, { state: 'visible', timeout });
}

/** Waits until #id's data-i18n is one of keys (the page's state as its catalog key). */
export function i18nKey(page, id, keys, timeout = STEP_MS) {
  return page.waitForFunction(
    ([id, keys]) => keys.includes(document.getElementById(id)?.dataset.i18n),
    [id, [keys].flat()],
    { timeout },
  );
}

/** The catalog the server serves to the page for lang (the embedded one, not the source tree's). */
export function servedCatalog(page, lang) {
  return page.evaluate(async (lang) => {
    const css = document.querySelector('link[rel="stylesheet"][href*="/report/"]').href;
    const response = await fetch(new URL(`i18n/${lang}.json`, css), { credentials: 'omit' });
    if (!response.ok) throw new Error(`catalog ${lang}: HTTP ${response.status}`);
    return response.json();
  }, lang);
}

/**
 * Texts of the page that do not show their catalog's text in lang: every
 * visible element with data-i18n and no parameters must show exactly the
 * catalog's entry; one with parameters must show no unfilled {placeholder}.
 */
export function untranslated(page, catalog) {
  return page.evaluate((catalog) => {
    const norm = (s) => String(s ?? '').replace(/\s+/g, ' ').trim();
    const wrong = [];
    for (const node of document.querySelectorAll('[data-i18n]')) {
      if (!node.checkVisibility()) continue;
      const key = node.dataset.i18n;
      const shownText = norm(node.textContent);
      if (!(key in catalog)) wrong.push(`${key}: not in the catalog`);
      else if (!node.dataset.i18nParams && shownText !== norm(catalog[key])) wrong.push(`${key}: shows "${shownText}", catalog "${norm(catalog[key])}"`);
      else if (node.dataset.i18nParams && /\{[A-Za-z0-9_]+\}/.test(shownText)) wrong.push(`${key}: unfilled placeholder in "${shownText}"`);
    }
    return wrong;
  }, catalog);
}

/**
 * Page width beyond the phone's layout viewport (content that would scroll
 * sideways, or make a phone zoom out), in CSS pixels. clientWidth, not
 * innerWidth: a mobile browser widens the visual viewport to fit the content.
 */
export function horizontalOverflow(page) {
  return page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
}

// ---------------------------------------------------------------------------
// Test photos

const u16 = (n) => [(n >> 8) & 255, n & 255];
const u32 = (n) => [(n >>> 24) & 255, (n >>> 16) & 255, (n >>> 8) & 255, n & 255];

/** The GPS latitude the test photos carry, as its EXIF rationals (39/1 54/1 4242/100), big-endian. */
export const GPS_LATITUDE_BYTES = Buffer.from([...u32(39), ...u32(1), ...u32(54), ...u32(1), ...u32(4242), ...u32(100)]);
export const CAMERA_MAKE = 'SecretCam';
export const XMP_TOOL = 'SecretTool';

/**
 * A JPEG of width×height made by the browser's own encoder: the left half
 * red, the right half blue.
 */
export async function canvasJpeg(page, width, height) {
  const base64 = await page.evaluate(async ([w, h]) => {
    const canvas = new OffscreenCanvas(w, h);
    const ctx = canvas.getContext('2d');
    ctx.fillStyle = '#ff0000';
    ctx.fillRect(0, 0, w / 2, h);
    ctx.fillStyle = '#0000ff';
    ctx.fillRect(w / 2, 0, w / 2, h);
    const bytes = new Uint8Array(await (await canvas.convertToBlob({ type: 'image/jpeg', quality: 0.92 })).arrayBuffer());
    let s = '';
    for (const b of bytes) s += String.fromCharCode(b);
    return btoa(s);
  }, [width, height]);
  return Buffer.from(base64, 'base64');
}

/**
 * The JPEG with what a phone camera adds, right after SOI: an EXIF APP1
 * (Make, Orientation, a GPS IFD with latitude N 39° 54' 42.42") and an XMP
 * APP1.
 */
export function withExifGps(jpeg, { orientation = 1 } = {}) {
  if (jpeg[0] !== 0xff || jpeg[1] !== 0xd8) throw new Error('not a JPEG');
  const make = Buffer.from(`${CAMERA_MAKE}\0`, 'ascii');
  // TIFF, big-endian: IFD0 at 8 with Make, Orientation and the GPS IFD pointer.
  const ifd0Size = 2 + 3 * 12 + 4;
  const makeOffset = 8 + ifd0Size;
  const gpsOffset = makeOffset + make.length;
  const gpsSize = 2 + 2 * 12 + 4;
  const latitudeOffset = gpsOffset + gpsSize;
  const tiff = Buffer.from([
    0x4d, 0x4d, 0, 42, ...u32(8),
    ...u16(3),
    ...u16(0x010f), ...u16(2), ...u32(make.length), ...u32(makeOffset),
    ...u16(0x0112), ...u16(3), ...u32(1), ...u16(orientation), 0, 0,
    ...u16(0x8825), ...u16(4), ...u32(1), ...u32(gpsOffset),
    ...u32(0),
    ...make,
    ...u16(2),
    ...u16(0x0001), ...u16(2), ...u32(2), 0x4e, 0, 0, 0, // GPSLatitudeRef "N"
    ...u16(0x0002), ...u16(5), ...u32(3), ...u32(latitudeOffset), // GPSLatitude
    ...u32(0),
    ...GPS_LATITUDE_BYTES,
  ]);
  const exif = Buffer.concat([Buffer.from('Exif\0\0', 'ascii'), tiff]);
  const xmp = Buffer.from(`http://ns.adobe.com/xap/1.0/\0<x:xmpmeta><rdf:Description GPSLatitude="39,54.707N" CreatorTool="${XMP_TOOL}"/></x:xmpmeta>`, 'ascii');
  const segment = (marker, data) => Buffer.concat([Buffer.from([0xff, marker, ...u16(data.length + 2)]), data]);
  return Buffer.concat([jpeg.subarray(0, 2), segment(0xe1, exif), segment(0xe1, xmp), jpeg.subarray(2)]);
}

/**
 * The markers of a JPEG's header segments up to the scan, and its frame
 * size; throws if the bytes are no well-formed JPEG header.
 */
export function jpegStructure(bytes) {
  if (bytes.length < 4 || bytes[0] !== 0xff || bytes[1] !== 0xd8) throw new Error('no JPEG SOI marker');
  const segments = [];
  let frame = null;
  let i = 2;
  while (i + 4 <= bytes.length) {
    if (bytes[i] !== 0xff) throw new Error(`no marker at byte ${i}`);
    const marker = bytes[i + 1];
    const length = bytes.readUInt16BE(i + 2);
    segments.push({ marker, data: bytes.subarray(i + 4, i + 2 + length) });
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      frame = { height: bytes.readUInt16BE(i + 5), width: bytes.readUInt16BE(i + 7) };
    }
    if (marker === 0xda) return { segments, frame };
    i += 2 + length;
  }
  throw new Error('the JPEG header ends before its scan');
}

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
