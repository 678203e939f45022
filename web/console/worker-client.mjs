// The page's side of worker.mjs: one module Worker for the page, started
// when first needed; call(cmd, args) resolves with its result or rejects
// with {code, message}.

let worker = null;
let ready = null;
const pending = new Map();
let nextId = 1;

function startWorker() {
  ready = new Promise((resolve, reject) => {
    try {
      worker = new Worker(new URL('./worker.mjs', import.meta.url), { type: 'module', name: 'clueline-console' });
    } catch {
      reject({ code: 'cryptoUnavailable', message: 'this browser cannot run the key derivation' });
      return;
    }
    worker.onmessage = (event) => {
      const m = event.data;
      if (m?.type === 'ready') {
        if (m.failed) reject({ code: 'cryptoUnavailable', message: 'libsodium did not load' });
        else resolve();
        return;
      }
      const p = pending.get(m?.id);
      if (!p) return;
      pending.delete(m.id);
      if (m.type === 'result') p.resolve(m.value);
      else p.reject(m.error);
    };
    worker.onerror = (event) => {
      event.preventDefault?.();
      const error = { code: 'cryptoUnavailable', message: 'the key derivation stopped' };
      reject(error);
      for (const p of pending.values()) p.reject(error);
      pending.clear();
      worker = null;
      ready = null;
    };
  });
  ready.catch(() => {
    ready = null;
  });
  return ready;
}

export function callWorker(cmd, args = {}) {
  return (ready ?? startWorker()).then(
    () =>
      new Promise((resolve, reject) => {
        const id = nextId++;
        pending.set(id, { resolve, reject });
        worker.postMessage({ id, cmd, args });
      }),
  );
}
