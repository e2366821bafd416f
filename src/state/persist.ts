// What survives a reload (brief, non-negotiable 4): the experiment (localStorage), the corpus and the latest
// model checkpoint (IndexedDB, which holds tens of MB). The model is saved when training pauses and every
// 30 s while it runs; on the next visit the page restores the corpus and loads the model back.
import type { RunStoreState } from './runStore';

const DB = 'unroll';
const STORE = 'files';
const EXPERIMENT_KEY = 'unroll.experiment';

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
  saveCorpus: (c: SavedCorpus) => tx('readwrite', (s) => s.put(c, 'corpus')),
  loadCorpus: () => tx<SavedCorpus | undefined>('readonly', (s) => s.get('corpus')),
  saveModel: (m: SavedModel) => tx('readwrite', (s) => s.put(m, 'model')),
  loadModel: () => tx<SavedModel | undefined>('readonly', (s) => s.get('model')),
  forgetModel: () => tx('readwrite', (s) => s.delete('model')),
};
