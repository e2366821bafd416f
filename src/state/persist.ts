// What survives a reload (brief, non-negotiable 4): the experiment (localStorage), the corpus and the latest
// model checkpoint (IndexedDB, which holds tens of MB). The model is saved when training pauses and every
// 30 s while it runs; on the next visit the page restores the corpus and loads the model back.
import type { RunStoreState } from './runStore';

const DB = 'unroll';
const STORE = 'files';
const EXPERIMENT_KEY = 'unroll.experiment';
/** UTF-16 units per stored piece of the corpus. */
const PIECE = 1 << 19;
let corpusWrites = 0;

function open(): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const req = indexedDB.open(DB, 1);
    req.onupgradeneeded = () => req.result.createObjectStore(STORE);
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error ?? new Error('IndexedDB unavailable'));
  });
}

async function tx<T>(mode: IDBTransactionMode, run: (s: IDBObjectStore) => IDBRequest<T>): Promise<T> {
  const db = await open();
  return new Promise<T>((resolve, reject) => {
    const t = db.transaction(STORE, mode);
    const req = run(t.objectStore(STORE));
    t.oncomplete = () => (db.close(), resolve(req.result));
    t.onerror = () => (db.close(), reject(t.error ?? new Error('IndexedDB write failed')));
  });
}

export interface SavedCorpus {
  text: string;
  source: RunStoreState['corpus']['source'];
}

export interface SavedModel {
  bytes: ArrayBuffer;
  step: number;
  savedAt: string;
}

export const persist = {
  saveExperiment(
    s: Pick<RunStoreState, 'model' | 'train' | 'valEvery'> & {
      sampling: RunStoreState['sampling']['settings'];
    },
  ): void {
    try {
      localStorage.setItem(EXPERIMENT_KEY, JSON.stringify(s));
    } catch {
      /* storage full or disabled: the URL hash still carries the experiment */
    }
  },
  loadExperiment():
    | (Partial<Pick<RunStoreState, 'model' | 'train' | 'valEvery'>> & {
        sampling?: RunStoreState['sampling']['settings'];
      })
    | null {
    try {
      const raw = localStorage.getItem(EXPERIMENT_KEY);
      return raw ? (JSON.parse(raw) as ReturnType<typeof persist.loadExperiment>) : null;
    } catch {
      return null;
    }
  },
  /**
   * Stores the corpus in 512k-character pieces, one transaction per task: cloning a 50 MB string into
   * IndexedDB in one go would hold the page for a long moment.
   */
  async saveCorpus(c: SavedCorpus): Promise<void> {
    const token = ++corpusWrites;
    const pieces = Math.max(1, Math.ceil(c.text.length / PIECE));
    for (let i = 0; i < pieces; i++) {
      if (token !== corpusWrites) return; // a newer text is being saved
      const piece = c.text.slice(i * PIECE, (i + 1) * PIECE);
      await tx('readwrite', (s) => s.put(piece, `corpus.${i}`));
      await new Promise((r) => setTimeout(r, 0));
    }
    if (token === corpusWrites) await tx('readwrite', (s) => s.put({ source: c.source, pieces }, 'corpus'));
  },
  async loadCorpus(): Promise<SavedCorpus | undefined> {
    const meta = await tx<{ source: SavedCorpus['source']; pieces: number } | undefined>('readonly', (s) =>
      s.get('corpus'),
    );
    if (!meta || !Number.isInteger(meta.pieces)) return undefined;
    const parts: string[] = [];
    for (let i = 0; i < meta.pieces; i++) {
      const p = await tx<unknown>('readonly', (s) => s.get(`corpus.${i}`));
      if (typeof p !== 'string') return undefined;
      parts.push(p);
    }
    return { text: parts.join(''), source: meta.source };
  },
  saveModel: (m: SavedModel) => tx('readwrite', (s) => s.put(m, 'model')),
  loadModel: () => tx<SavedModel | undefined>('readonly', (s) => s.get('model')),
  forgetModel: () => tx('readwrite', (s) => s.delete('model')),
};
