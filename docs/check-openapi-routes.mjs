#!/usr/bin/env node
// Checks docs/openapi.yaml against the routes the server registers.
//
//   node docs/check-openapi-routes.mjs ROUTES_FILE [OPENAPI_FILE]
//
// ROUTES_FILE has one route a line, "METHOD /path", as the server's Router
// registers it (server/handlers.cpp add_public_routes, server/intake_routes.cpp
// add_intake_routes). A path that ends in "*" is a prefix route (the "*" is
// not part of it): it matches a documented path with the same method that
// starts with it and continues with a templated segment, e.g. "GET /s/*"
// matches "/s/{token}" and "PUT /api/v1/followup/attachments/*" matches
// "/api/v1/followup/attachments/{n}/{part}". A path holding "{}" is a
// prefix route with a suffix: "{}" matches one templated segment, e.g.
// "POST /api/v1/clues/{}/replies" matches "/api/v1/clues/{id}/replies".
// Any other path must equal a
// documented path. Blank lines and lines starting with "#" are ignored.
// OPENAPI_FILE defaults to openapi.yaml beside this script.
//
// Exit status: 0 when every route has an operation and every operation a
// route; 1 naming each route without an operation and each operation
// without a route; 2 for bad usage or an unreadable input.
//
// Needs node >= 20 and the packages of docs/package.json (`npm ci` in docs/).

import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

function fail(message) {
  console.error(`check-openapi-routes: ${message}`);
  process.exit(2);
}

function readText(file, what) {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    return fail(`cannot read ${what} ${file}: ${error.message}`);
  }
}

// [{method, path, prefix, line}] from the routes file.
function readRoutes(file) {
  const routes = [];
  const seen = new Set();
  readText(file, 'routes file').split(/\r?\n/).forEach((raw, index) => {
    const text = raw.trim();
    if (text === '' || text.startsWith('#')) return;
    const match = /^([A-Za-z]+)\s+(\/\S*)$/.exec(text);
    if (!match || !HTTP_METHODS.includes(match[1].toLowerCase())) {
      fail(`${file}:${index + 1}: expected "METHOD /path", got "${text}"`);
    }
    const method = match[1].toUpperCase();
    const prefix = match[2].endsWith('*');
    const path = prefix ? match[2].slice(0, -1) : match[2];
    const key = `${method} ${path}`;
    if (seen.has(key)) fail(`${file}:${index + 1}: ${key} is listed twice`);
    seen.add(key);
    routes.push({
      method,
      path,
      prefix,
      slot: path.includes('{}'),
      line: index + 1,
    });
  });
  if (routes.length === 0) fail(`${file} lists no route`);
  return routes;
}

// [{method, path, operationId}] from the OpenAPI document.
function readOperations(file) {
  let document;
  try {
    document = parse(readText(file, 'OpenAPI document'));
  } catch (error) {
    return fail(`${file} is not valid YAML: ${error.message}`);
  }
  if (document === null || typeof document !== 'object' || typeof document.paths !== 'object') {
    fail(`${file} has no paths object`);
  }
  const operations = [];
  for (const [path, item] of Object.entries(document.paths ?? {})) {
    if (item === null || typeof item !== 'object') fail(`${file}: path ${path} is not an object`);
    if ('$ref' in item) fail(`${file}: path ${path} is a $ref, which this check does not follow`);
    for (const method of HTTP_METHODS) {
      if (item[method] === undefined) continue;
      operations.push({ method: method.toUpperCase(), path, operationId: item[method]?.operationId });
    }
  }
  return operations;
}

const isTemplate = (segment) => /^\{[^{}/]+\}$/.test(segment);

function matches(route, operation) {
  if (route.method !== operation.method) return false;
  if (route.slot) {
    const [head, tail] = route.path.split('{}');
    if (!operation.path.startsWith(head) || !operation.path.endsWith(tail)) return false;
    const middle = operation.path.slice(head.length, operation.path.length - tail.length);
    return operation.path.length > head.length + tail.length && isTemplate(middle);
  }
  if (!route.prefix) return operation.path === route.path;
  if (!operation.path.startsWith(route.path)) return false;
  const rest = operation.path.slice(route.path.length);
  return isTemplate(rest.split('/')[0]);
}

const count = (n, word) => `${n} ${word}${n === 1 ? '' : 's'}`;

const describe = (operation) =>
  `${operation.method} ${operation.path}` +
  (operation.operationId ? ` (operationId ${operation.operationId})` : '');

function main() {
  const [routesFile, openapiArgument] = process.argv.slice(2);
  if (!routesFile || process.argv.length > 4) {
    fail('usage: node check-openapi-routes.mjs ROUTES_FILE [OPENAPI_FILE]');
  }
  const openapiFile = openapiArgument ?? join(dirname(fileURLToPath(import.meta.url)), 'openapi.yaml');
  const routes = readRoutes(routesFile);
  const operations = readOperations(openapiFile);

  const covered = new Set();
  const missing = [];
  for (const route of routes) {
    const found = operations.filter((operation) => matches(route, operation));
    if (found.length === 0) missing.push(route);
    for (const operation of found) covered.add(operation);
    const label = `${route.method} ${route.path}${route.prefix ? ' (prefix)' : ''}`;
    if (found.length > 0) console.log(`ok  ${label} -> ${found.map(describe).join(', ')}`);
  }
  const unregistered = operations.filter((operation) => !covered.has(operation));

  for (const route of missing) {
    console.error(
      `MISSING  ${route.method} ${route.path} (${routesFile}:${route.line}) has no operation in ${openapiFile}`);
  }
  for (const operation of unregistered) {
    console.error(`EXTRA    ${describe(operation)} in ${openapiFile} matches no route in ${routesFile}`);
  }
  const summary = `${count(routes.length, 'route')}, ${count(operations.length, 'operation')}`;
  if (missing.length > 0 || unregistered.length > 0) {
    console.error(
      `check-openapi-routes: FAILED (${summary}; ${count(missing.length, 'route')} without an ` +
        `operation, ${count(unregistered.length, 'operation')} without a route)`);
    process.exit(1);
  }
  console.log(`check-openapi-routes: OK (${summary}, each matched)`);
}

main();
