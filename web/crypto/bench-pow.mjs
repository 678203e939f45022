// Measures the proof-of-work solver (spec §7) in node:
//   node web/crypto/bench-pow.mjs [difficulty=16] [challenges=50]
// Prints hashes per second, mean and p95 solve time over random challenges,
// and an estimate for a phone under the stated slowdown assumption.

import { ready, solvePow, verifyPow } from './clueline-crypto.mjs';
import { randomBytes } from 'node:crypto';
import os from 'node:os';

// Assumption: a mid-range phone browser runs libsodium.js's BLAKE2b about
// 4x slower than node on this machine (slower cores, thermal limits, and the
// WebAssembly tier of a mobile JavaScript engine).
const PHONE_SLOWDOWN = 4;

const difficulty = Number.parseInt(process.argv[2] ?? '16', 10);
const count = Number.parseInt(process.argv[3] ?? '50', 10);
if (!Number.isInteger(difficulty) || difficulty < 0 || difficulty > 32 || !Number.isInteger(count) || count < 1) {
  console.error('usage: node bench-pow.mjs [difficulty 0..32] [challenges >= 1]');
  process.exit(2);
}

await ready();
solvePow(new Uint8Array(32), Math.min(difficulty, 12)); // warm up the JIT

const times = [];
let hashes = 0;
let totalMs = 0;
for (let i = 0; i < count; i++) {
  const challenge = new Uint8Array(randomBytes(32));
  const t0 = performance.now();
  const nonce = solvePow(challenge, difficulty);
  const ms = performance.now() - t0;
  if (!verifyPow(challenge, nonce, difficulty)) throw new Error('solution does not verify');
  // nonce = u64be counter; the solver computed counter + 1 hashes.
  const counter = Number(new DataView(nonce.buffer, nonce.byteOffset, 8).getBigUint64(0));
  hashes += counter + 1;
  totalMs += ms;
  times.push(ms);
}
times.sort((a, b) => a - b);
const mean = totalMs / count;
const p95 = times[Math.min(count - 1, Math.ceil(0.95 * count) - 1)];
const rate = hashes / (totalMs / 1000);
const expected = 2 ** difficulty;

const cpu = os.cpus()[0]?.model ?? 'unknown cpu';
console.log(`node ${process.version}, ${os.cpus().length} cores, ${cpu}`);
console.log(`difficulty ${difficulty}, ${count} random challenges, ${hashes} hashes (expected ${expected} per challenge, mean ${(hashes / count).toFixed(0)})`);
console.log(`hashes/s: ${Math.round(rate).toLocaleString('en-US')}`);
console.log(`solve time: mean ${mean.toFixed(1)} ms, p95 ${p95.toFixed(1)} ms, max ${times[count - 1].toFixed(1)} ms`);
console.log(`phone estimate (assumed ${PHONE_SLOWDOWN}x slower than this node): mean ${(mean * PHONE_SLOWDOWN).toFixed(0)} ms, p95 ${(p95 * PHONE_SLOWDOWN).toFixed(0)} ms; expected-work time ${((expected / rate) * PHONE_SLOWDOWN * 1000).toFixed(0)} ms`);
