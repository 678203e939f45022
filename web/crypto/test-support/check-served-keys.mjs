// Runs the browser module's key checks (crypto-spec §3.1) on an answer a
// real server gave, for the C++ integration tests:
//
//   node check-served-keys.mjs route|followup ANSWER_JSON_FILE TOKEN
//
// Prints {"ok": true, "keys": N} and exits 0 when every key checks out;
// prints {"ok": false, "code": ..., "message": ...} and exits 1 when the
// module refuses the answer.
import { readFileSync } from 'node:fs';
import * as cc from '../clueline-crypto.mjs';

const [kind, file, token] = process.argv.slice(2);
if (!['route', 'followup'].includes(kind) || !file || !token) {
  console.error('usage: node check-served-keys.mjs route|followup ANSWER_JSON_FILE TOKEN');
  process.exit(2);
}
await cc.ready();
const answer = JSON.parse(readFileSync(file, 'utf8'));
try {
  const keys = kind === 'route' ? cc.verifiedRouteKeys(answer, token) : cc.verifiedFollowupKeys(answer, token);
  console.log(JSON.stringify({ ok: true, keys: keys.length }));
} catch (e) {
  if (!(e instanceof cc.CluelineCryptoError)) throw e;
  console.log(JSON.stringify({ ok: false, code: e.code, message: e.message }));
  process.exit(1);
}
