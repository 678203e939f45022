// Turns the files under web/ and the npm modules the pages import into one
// C++ source that embeds them (clueline/web/assets.hpp): every asset stored
// as is, gzip'd and brotli'd at build time, so the server never compresses
// at run time and a deployment is one binary.
//
//   node web/build.mjs --out build/web/embedded_assets.cpp [--dump DIR]
//   node web/build.mjs --list
//
// --list prints the source files read (one per line) and writes nothing;
// CMake uses it for the build's dependencies. --dump also writes every
// asset as served (DIR/static/<hash>/…, DIR/<page>.html), to look at.
//
// Every asset except the HTML pages is served under /static/<hash>/, where
// <hash> is taken over all assets, so browsers may cache them for a year:
// any change gives every file a new URL. Pages refer to assets as
// /static/<path>; that prefix is rewritten in HTML only, so modules must use
// relative URLs between themselves. Bare module specifiers of npm packages
// are rewritten to the served copies; one that is not known fails the build,
// because a browser could not resolve it.

import { createHash } from 'node:crypto';
import { readFileSync, readdirSync, statSync, writeFileSync, renameSync, mkdirSync } from 'node:fs';
import { dirname, join, relative, posix } from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, gzipSync, constants as zlib } from 'node:zlib';

const webRoot = dirname(fileURLToPath(import.meta.url));
const modules = join(webRoot, 'node_modules');

// Pages: served by the server at fixed URLs ("/" and the citizen routes),
// never cached.
const pages = [
  { name: 'index', file: 'index.html' },
  { name: 'report', file: 'report/report.html' },
  { name: 'followup', file: 'report/followup.html' },
  { name: 'console', file: 'console/console.html' },
];

// Directories whose files are served under /static/<hash>/<path>.
const servedTrees = ['report', 'console', 'shared', 'crypto'];
const servedFiles = ['style.css'];
const skippedInTrees = /(^|\/)(test|test-support|node_modules)(\/|$)|\.html$|(^|\/)(\.|bench-)/;

// npm files served under lib/, and the bare specifiers that name them.
const vendored = [
  {
    served: 'lib/libsodium-wrappers.mjs',
    source: 'libsodium-wrappers/dist/modules-esm/libsodium-wrappers.mjs',
    specifiers: ['libsodium-wrappers'],
  },
  {
    served: 'lib/libsodium.mjs',
    source: 'libsodium/dist/modules-esm/libsodium.mjs',
    specifiers: ['libsodium'],
  },
  {
    // The package's ESM build holds every algorithm (79 KB gzip'd); its
    // Argon2 build (12 KB) is UMD only, so it is served wrapped as a module
    // exporting what the pages use. Fetched only when a key is derived.
    served: 'lib/hash-wasm-argon2.mjs',
    source: 'hash-wasm/dist/argon2.umd.min.js',
    specifiers: ['hash-wasm'],
    umdExports: ['argon2id'],
  },
  {
    // The console's charts (hot spots).
    served: 'lib/uplot.mjs',
    source: 'uplot/dist/uPlot.esm.js',
    specifiers: ['uplot'],
  },
  {
    served: 'lib/uplot.css',
    source: 'uplot/dist/uPlot.min.css',
  },
];

const contentTypes = {
  '.html': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.wasm': 'application/wasm',
  '.txt': 'text/plain; charset=utf-8',
};

function contentType(path) {
  const type = contentTypes[posix.extname(path)];
  if (type === undefined) throw new Error(`web/build.mjs: no content type known for ${path}`);
  return type;
}

function walk(dir) {
  const out = [];
  for (const name of readdirSync(join(webRoot, dir)).sort()) {
    const path = posix.join(dir, name);
    if (skippedInTrees.test(path)) continue;
    if (statSync(join(webRoot, path)).isDirectory()) out.push(...walk(path));
    else out.push(path);
  }
  return out;
}

function exists(path) {
  try {
    statSync(path);
    return true;
  } catch {
    return false;
  }
}

// Every source file, as { served, source (absolute), text? }.
function collect() {
  const files = [];
  const trees = servedTrees.filter((dir) => exists(join(webRoot, dir)));
  for (const path of [...servedFiles, ...trees.flatMap(walk)]) {
    files.push({ served: path, source: join(webRoot, path) });
  }
  for (const v of vendored) {
    const source = join(modules, v.source);
    if (!exists(source)) {
      if (v.optional) continue;
      throw new Error(`web/build.mjs: ${source} is missing; run npm ci in web/`);
    }
    files.push({ served: v.served, source, specifiers: v.specifiers, umdExports: v.umdExports });
  }
  const pageFiles = pages
    .filter((p) => p.name === 'index' || exists(join(webRoot, p.file)))
    .map((p) => ({ ...p, source: join(webRoot, p.file) }));
  return { files, pageFiles };
}

// Rewrites the bare specifiers in a module (import … from 'x', export …
// from 'x', import 'x', import('x')) to the served path of the file they
// name, relative to the module, and checks that every relative one names a
// served file. A static import or export counts only where a line starts
// with it, and its clause holds no quote: "from" inside a string or a
// comment ('hotspots-from', // import … from …) is not an import.
function rewriteSpecifiers(text, served, specifierMap, servedPaths) {
  const pattern =
    /(^[ \t]*(?:import|export)\b[^;'"`]*?\bfrom\s*|^[ \t]*import\s*|\bimport\s*\(\s*)(['"])([^'"\n]+)\2/gm;
  return text.replace(pattern, (whole, lead, quote, specifier) => {
    if (specifier.startsWith('/')) {
      throw new Error(`web/build.mjs: ${served} imports '${specifier}': use a relative path`);
    }
    if (specifier.startsWith('.')) {
      const target = posix.normalize(posix.join(posix.dirname(served), specifier));
      if (!servedPaths.has(target)) {
        throw new Error(`web/build.mjs: ${served} imports '${specifier}', which is not served`);
      }
      return whole;
    }
    const target = specifierMap.get(specifier);
    if (target === undefined) {
      throw new Error(`web/build.mjs: ${served} imports '${specifier}', which no served file provides`);
    }
    let path = posix.relative(posix.dirname(served), target);
    if (!path.startsWith('.')) path = `./${path}`;
    return `${lead}${quote}${path}${quote}`;
  });
}

// A UMD bundle as an ES module: its CommonJS branch fills a local `exports`,
// which the module then re-exports by name.
function umdAsModule(text, names) {
  if (!text.includes('"object"==typeof exports') && !text.includes("typeof exports === 'object'")) {
    throw new Error('web/build.mjs: the UMD bundle no longer looks for a CommonJS exports object');
  }
  const exportsList = names.map((n) => `const ${n} = module.exports.${n};`).join('\n');
  return (
    `const exports = {};\nconst module = { exports };\n${text}\n${exportsList}\n` +
    `if (${names.map((n) => `typeof ${n} !== 'function'`).join(' || ')}) {\n` +
    `  throw new Error('hash-wasm: the bundle did not export ${names.join(', ')}');\n}\n` +
    `export { ${names.join(', ')} };\n`
  );
}

function cString(bytes) {
  const lines = [];
  for (let i = 0; i < bytes.length; i += 64) {
    let line = '"';
    for (const b of bytes.subarray(i, i + 64)) line += `\\x${b.toString(16).padStart(2, '0')}`;
    lines.push(`${line}"`);
  }
  return lines.length === 0 ? '""' : lines.join('\n    ');
}

function compressions(bytes) {
  const gzip = gzipSync(bytes, { level: 9 });
  const brotli = brotliCompressSync(bytes, {
    params: {
      [zlib.BROTLI_PARAM_QUALITY]: zlib.BROTLI_MAX_QUALITY,
      [zlib.BROTLI_PARAM_SIZE_HINT]: bytes.length,
    },
  });
  // A compressed form that is not smaller is not worth the client's work.
  return {
    gzip: gzip.length < bytes.length ? gzip : null,
    brotli: brotli.length < bytes.length ? brotli : null,
  };
}

function main() {
  const args = process.argv.slice(2);
  const { files, pageFiles } = collect();
  if (args.includes('--list')) {
    for (const f of [...files, ...pageFiles]) process.stdout.write(`${f.source}\n`);
    return;
  }
  const option = (name) => {
    const i = args.indexOf(name);
    return i >= 0 ? args[i + 1] : undefined;
  };
  const out = option('--out');
  if (!out) throw new Error('usage: node web/build.mjs --out FILE.cpp [--dump DIR] | --list');
  const dump = option('--dump');

  const specifierMap = new Map();
  for (const f of files) for (const s of f.specifiers ?? []) specifierMap.set(s, f.served);

  const servedPaths = new Set(files.map((f) => f.served));
  const assets = files.map((f) => {
    let bytes = readFileSync(f.source);
    if (f.umdExports) bytes = Buffer.from(umdAsModule(bytes.toString('utf8'), f.umdExports), 'utf8');
    if (/\.m?js$/.test(f.served)) {
      bytes = Buffer.from(rewriteSpecifiers(bytes.toString('utf8'), f.served, specifierMap, servedPaths), 'utf8');
    }
    return { served: f.served, bytes };
  });
  const hash = createHash('sha256');
  for (const a of [...assets].sort((x, y) => (x.served < y.served ? -1 : 1))) {
    hash.update(`${a.served}\0${a.bytes.length}\0`);
    hash.update(a.bytes);
  }
  const pageSources = pageFiles.map((p) => ({ ...p, bytes: readFileSync(p.source) }));
  for (const p of pageSources) hash.update(p.bytes);
  const root = `/static/${hash.digest('hex').slice(0, 16)}/`;

  const entries = [];
  for (const a of assets) {
    entries.push({ kind: 'static', key: root + a.served, type: contentType(a.served), bytes: a.bytes });
  }
  for (const p of pageSources) {
    const text = p.bytes.toString('utf8').replaceAll('"/static/', `"${root}`);
    entries.push({ kind: 'page', key: p.name, type: contentType(p.file), bytes: Buffer.from(text, 'utf8') });
  }

  if (dump) {
    for (const e of entries) {
      const path = e.kind === 'static' ? join(dump, e.key) : join(dump, `${e.key}.html`);
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, e.bytes);
    }
  }

  let body = '// Generated by web/build.mjs from web/ and web/node_modules; do not edit.\n';
  body += '#include <array>\n\n#include "clueline/web/assets.hpp"\n\nnamespace clueline::web {\nnamespace {\n\n';
  const rows = [];
  entries.forEach((e, i) => {
    const { gzip, brotli } = compressions(e.bytes);
    body += `constexpr char kIdentity${i}[] =\n    ${cString(e.bytes)};\n`;
    if (gzip) body += `constexpr char kGzip${i}[] =\n    ${cString(gzip)};\n`;
    if (brotli) body += `constexpr char kBrotli${i}[] =\n    ${cString(brotli)};\n`;
    const view = (name, b) => (b ? `std::string_view(${name}${i}, ${b.length})` : 'std::string_view()');
    rows.push(
      `    Asset{"${e.key}", "${e.type}", ${e.kind === 'static'}, ${view('kIdentity', e.bytes)}, ` +
        `${view('kGzip', gzip)}, ${view('kBrotli', brotli)}},`,
    );
    e.sizes = { identity: e.bytes.length, gzip: gzip?.length ?? e.bytes.length, brotli: brotli?.length ?? e.bytes.length };
  });
  const statics = rows.filter((_, i) => entries[i].kind === 'static');
  const pagesRows = rows.filter((_, i) => entries[i].kind === 'page');
  body += `\nconstexpr std::array<Asset, ${statics.length}> kStatic{{\n${statics.join('\n')}\n}};\n`;
  body += `constexpr std::array<Asset, ${pagesRows.length}> kPages{{\n${pagesRows.join('\n')}\n}};\n\n`;
  body += '}  // namespace\n\n';
  body += `std::string_view static_root() noexcept { return "${root}"; }\n\n`;
  body += 'std::optional<Asset> find_asset(std::string_view path) noexcept {\n';
  body += '  for (const Asset& asset : kStatic) {\n    if (asset.path == path) return asset;\n  }\n  return std::nullopt;\n}\n\n';
  body += 'std::optional<Asset> find_page(std::string_view name) noexcept {\n';
  body += '  for (const Asset& asset : kPages) {\n    if (asset.path == name) return asset;\n  }\n  return std::nullopt;\n}\n\n';
  const languages = exists(join(webRoot, 'report/i18n'))
    ? readdirSync(join(webRoot, 'report/i18n')).filter((n) => n.endsWith('.json')).sort().map((n) => n.slice(0, -5))
    : [];
  body += `std::span<const std::string_view> page_languages() noexcept {\n`;
  body += `  static constexpr std::array<std::string_view, ${languages.length}> kLanguages{${languages.map((l) => JSON.stringify(l)).join(', ')}};\n`;
  body += '  return kLanguages;\n}\n\n';
  body += '}  // namespace clueline::web\n';

  mkdirSync(dirname(out), { recursive: true });
  // Written beside and renamed, so an interrupted build leaves no half file.
  writeFileSync(`${out}.tmp`, body);
  renameSync(`${out}.tmp`, out);
  const manifest = entries.map((e) => ({ path: e.key, type: e.type, ...e.sizes }));
  writeFileSync(join(dirname(out), 'assets.json'), `${JSON.stringify({ root, assets: manifest }, null, 1)}\n`);
  const total = (k) => manifest.reduce((n, m) => n + m[k], 0);
  process.stdout.write(
    `web/build.mjs: ${manifest.length} assets under ${root}, ` +
      `${total('identity')} bytes, ${total('gzip')} gzip, ${total('brotli')} brotli (${relative(process.cwd(), out)})\n`,
  );
}

main();
