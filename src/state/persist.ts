// What survives a reload (brief, non-negotiable 4): the experiment (localStorage), the corpus and the latest
// model checkpoint with its chart history (IndexedDB, which holds tens of MB). The model is saved when
// training pauses and every few seconds while it runs; on the next visit the page restores the corpus and
// loads the model back. Failed writes reject with a StorageError whose message says what to do.
import type { TaskKind } from '../core/tasks';
import type { StepPoint } from '../worker/protocol';
import type { TaskPoint, ValPoint } from './live';
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

/** A failed write, in words a user can act on. */
export class StorageError extends Error {
  constructor(cause: unknown) {
    const name = cause instanceof DOMException || cause instanceof Error ? cause.name : '';
    super(
      name === 'QuotaExceededError'
        ? 'the browser’s storage for this page is full (QuotaExceededError)'
        : `the browser refused to store it (${cause instanceof Error ? cause.message : String(cause)})`,
    );
    this.name = 'StorageError';
  }
}

async function tx<T>(mode: IDBTransactionMode, run: (s: IDBObjectStore) => IDBRequest<T>): Promise<T> {
  let db: IDBDatabase;
  try {
    db = await open();
  } catch (e) {
    throw new StorageError(e);
  }
  return new Promise<T>((resolve, reject) => {
    try {
      const t = db.transaction(STORE, mode);
      const req = run(t.objectStore(STORE));
      t.oncomplete = () => (db.close(), resolve(req.result));
      t.onerror = () => (db.close(), reject(new StorageError(t.error ?? 'write failed')));
      t.onabort = () => (db.close(), reject(new StorageError(t.error ?? 'write aborted')));
    } catch (e) {
      db.close();
      reject(new StorageError(e));
    }
  });
}

/** Chart points kept with a saved model: enough to redraw the curves, not every step of a long run. */
const HISTORY_POINTS = 3000;

/** The charts' history as stored: per-step values without the per-window arrays. */
export interface SavedHistory {
  steps: Omit<StepPoint, 'dhNorms'>[];
  val: ValPoint[];
  /** A task's evaluations (accuracy over steps). */
  task?: TaskPoint[];
}

/** Thins the live history to at most HISTORY_POINTS steps (always keeping the last). */
export function historyOf(
  steps: readonly StepPoint[],
  val: readonly ValPoint[],
  task: readonly TaskPoint[] = [],
): SavedHistory {
  const every = Math.max(1, Math.ceil(steps.length / HISTORY_POINTS));
  const kept = steps.filter((_, i) => i % every === 0 || i === steps.length - 1);
  return {
    steps: kept.map((p) => ({
      step: p.step,
      epoch: p.epoch,
      loss: p.loss,
      gradNorm: p.gradNorm,
      clipScale: p.clipScale,
      nonFinite: p.nonFinite,
      layerNorms: [...p.layerNorms],
    })),
    val: val.map((v) => ({ ...v })),
    task: task.map((t) => ({ ...t })),
  };
}

export interface SavedCorpus {
  text: string;
  source: RunStoreState['corpus']['source'];
}

export interface SavedModel {
  /** The model file. */
  bytes: ArrayBuffer;
  step: number;
  savedAt: string;
  history?: SavedHistory;
  /** What the model learns ('lm' when absent): a task model comes back only into a task experiment. */
  task?: 'lm' | TaskKind;
}

export const persist = {
  saveExperiment(
    s: Pick<RunStoreState, 'model' | 'train' | 'valEvery' | 'maxVocab'> & {
      task?: RunStoreState['task'];
    } & {
      sampling: RunStoreState['sampling']['settings'];
    },
  ): void {
    try {
      localStorage.setItem(EXPERIMENT_KEY, JSON.stringify(s));
    } catch (e) {
      // The URL hash still carries the experiment; the caller reports the failure.
      throw new StorageError(e);
    }
  },
  loadExperiment():
    | (Partial<
        Pick<RunStoreState, 'model' | 'train' | 'valEvery' | 'maxVocab'> & {
          task?: RunStoreState['task'];
        }
      > & {
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
  /** Keeps the model file as a Blob (stored by reference, not cloned on the page's thread). */
  saveModel: (m: Omit<SavedModel, 'bytes'> & { file: Blob }) => tx('readwrite', (s) => s.put(m, 'model')),
  /** The saved model with its file's bytes (records from before Blobs hold the bytes themselves). */
  async loadModel(): Promise<SavedModel | undefined> {
    const m = await tx<(Omit<SavedModel, 'bytes'> & { file?: Blob; bytes?: ArrayBuffer }) | undefined>(
      'readonly',
      (s) => s.get('model'),
    );
    if (!m) return undefined;
    const { file, bytes, ...rest } = m;
    const data = file instanceof Blob ? await file.arrayBuffer() : bytes;
    return data instanceof ArrayBuffer ? { ...rest, bytes: data } : undefined;
  },
  forgetModel: () => tx('readwrite', (s) => s.delete('model')),
};
