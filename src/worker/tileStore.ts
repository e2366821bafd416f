// The tile tuner's choices kept across reloads (engine/tuner.ts TileStore), in an IndexedDB database of their
// own so the page's model storage (state/persist.ts) never migrates because of them. Every failure surfaces
// as a rejected promise, which the tuner treats as "not stored": a lost choice only costs a tuning.
import type { TileStore } from '../engine/tuner';

const DB = 'unroll-tiles';
const STORE = 'choices';

function open(): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const req = indexedDB.open(DB, 1);
    req.onupgradeneeded = () => req.result.createObjectStore(STORE);
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error ?? new Error('IndexedDB unavailable'));
  });
}

async function run<T>(mode: IDBTransactionMode, op: (s: IDBObjectStore) => IDBRequest<T>): Promise<T> {
  const db = await open();
  return new Promise<T>((resolve, reject) => {
    try {
      const t = db.transaction(STORE, mode);
      const req = op(t.objectStore(STORE));
      t.oncomplete = () => (db.close(), resolve(req.result));
      t.onerror = t.onabort = () => (
        db.close(),
        reject(t.error ?? new Error('IndexedDB transaction failed'))
      );
    } catch (e) {
      db.close();
      reject(e);
    }
  });
}

/** The store, or undefined where this context has no IndexedDB (then every run of a shape tunes once). */
export function indexedDbTileStore(): TileStore | undefined {
  if (typeof indexedDB === 'undefined') return undefined;
  return {
    get: (key) => run('readonly', (s) => s.get(key)),
    set: async (key, value) => void (await run('readwrite', (s) => s.put(value, key))),
  };
}
