// The playground's actions (what buttons and fields call) and the folding of run events from the worker into
// the run store and the live ring. Components never see the worker (DESIGN.md §3.4).
import { decodeCheckpoint } from '../core/checkpoint';
import { type TrainConfig, validateModel, validateTrain } from '../core/config';
import { exportFiles } from '../core/torchExport';
import { zipStore } from '../core/zip';
import { paramLayout } from '../core/params';
import { SYNTHETIC_TASKS, syntheticTask } from '../core/synthetic';
import { CPU_MAX_PARAMS } from '../engine/cpuTrainer';
import { type BindingLimits, estimateMemory, limitProblems } from '../engine/memory';
import type { FromWorker, ModelShape, RunInfo, SampleRequest } from '../worker/protocol';
import { corpusStatsAsync } from './corpusStats';
import { type SavedHistory, historyOf, persist } from './persist';
import { inspectActions, useInspectStore } from './inspect';
import { taskWeightsActions } from './taskWeights';
import { live } from './live';
import {
  PRESET_CHARS,
  type RunStoreState,
  type RunView,
  type SampleSettings,
  type TaskChoice,
  useRunStore,
} from './runStore';
import { compareActions } from './compareActions';
import { GENERATED_TASKS, isEncoderDecoder } from '../core/tasks';
import { modelForTask, taskSource } from './taskChoice';
import { encodeHash } from './urlHash';
import { send } from './workerClient';

const set = useRunStore.setState;
const get = useRunStore.getState;

/** Training settings that a running model takes between steps; anything else needs a Reset. */
const LIVE_KEYS: (keyof TrainConfig)[] = [
  'learningRate',
  'optimizer',
  'clipNorm',
  'seqLen',
  'batchSize',
  'carryState',
];

let sampleId = 0;
/** The run the UI expects events from; events of replaced runs still in flight are dropped. */
let runId = 0;
/** Run ids handed out (a load's run becomes `runId` only once the worker has built it). */
let nextRun = 0;
/** A model file the worker is checking and loading. */
let pendingLoad: { run: number; name: string; history?: { data: SavedHistory; step: number } } | null = null;
/** Waiting requests for a model file, answered in order (the worker handles messages in order). */
const modelWaiters: ((bytes: ArrayBuffer, name: string) => void)[] = [];
/** The same for model files asked for as Blobs (autosave). */
const blobWaiters: ((blob: Blob) => void)[] = [];

let statsFor = '';
/** Recomputes the corpus statistics in slices; a newer text cancels an older computation. */
export function updateStats(): void {
  const text = get().corpus.text;
  statsFor = text;
  void corpusStatsAsync(text, () => statsFor !== text).then((stats) => {
    if (stats && statsFor === text) set((s) => ({ corpus: { ...s.corpus, stats } }));
  });
}

/** A write for the next visit failed: the user is told what was not kept and how to keep it; nothing stops. */
export function storageFailed(what: string, e: unknown): void {
  const why = e instanceof Error ? e.message : String(e);
  set({
    storageError: `Unroll could not keep ${what} for your next visit: ${why}. Everything still works in this tab; download the model (Model files) to keep it, or free some space for this site.`,
  });
}

function stored(): void {
  if (get().storageError) set({ storageError: null });
}

/** Keeps the experiment (localStorage) and corpus (IndexedDB) for the next visit. */
function remember(corpus = false): void {
  const s = get();
  try {
    persist.saveExperiment({
      model: s.model,
      train: s.train,
      valEvery: s.valEvery,
      maxVocab: s.maxVocab,
      task: { kind: s.task.kind, generated: s.task.generated, text: s.task.text },
      sampling: s.sampling.settings,
    });
  } catch (e) {
    storageFailed('your settings', e);
  }
  if (corpus)
    void persist
      .saveCorpus({ text: s.corpus.text, source: s.corpus.source })
      .catch((e: unknown) => storageFailed('the corpus', e));
}

/** While training, the model is saved for the next visit this often. */
const AUTOSAVE_EVERY_MS = 10_000;
let lastAutosave = 0;
let autosaveTimer: ReturnType<typeof setTimeout> | undefined;
/** Autosave once things settle (a second after the last single step or the pause). */
function scheduleAutosave(): void {
  clearTimeout(autosaveTimer);
  autosaveTimer = setTimeout(autosave, 1000);
}
/** Saves the model with its chart history for the next visit (after a pause, and while training). */
function autosave(): void {
  lastAutosave = performance.now();
  const step = live.last()?.step ?? get().run.info?.step ?? 0;
  const history = historyOf(live.steps, live.val, live.task);
  // As a Blob: IndexedDB then keeps a reference, where an ArrayBuffer of a big model (tens of MB) was cloned on
  // this thread, holding the page for a long moment (~170 ms at 2×512 on the dev machine) every autosave.
  new Promise<Blob>((resolve) => {
    blobWaiters.push(resolve);
    send({ type: 'saveModel', optimizer: true, blob: true });
  })
    .then((file) =>
      persist.saveModel({ file, step, savedAt: new Date().toISOString(), history, task: get().task.kind }),
    )
    .then(stored, (e: unknown) => storageFailed('the trained model', e));
}

export function syncHash(): void {
  const s = get();
  const preset = s.corpus.source.kind === 'preset' ? s.corpus.source.id : undefined;
  const task = s.task.kind === 'lm' ? undefined : { kind: s.task.kind, generated: s.task.generated };
  const hash = encodeHash({
    model: modelForTask(s.model, s.task.kind),
    train: s.train,
    ...(preset ? { preset } : {}),
    ...(task ? { task } : {}),
  });
  if (typeof history !== 'undefined' && location.hash !== hash) history.replaceState(null, '', hash);
}

/**
 * Parameters and GPU memory of the edited configuration, and every problem with it — including what this
 * adapter cannot bind (`limits`) and, on the CPU backend, models too large for the reference.
 */
export function estimate(
  s: Pick<RunStoreState, 'model' | 'train' | 'backend'> & { task?: TaskChoice['kind'] },
  vocabSize: number,
  limits?: BindingLimits,
) {
  const kind = s.task ?? 'lm';
  const shape = modelForTask(s.model, kind);
  const encDec = kind !== 'lm' && isEncoderDecoder(kind);
  const V = Math.max(2, vocabSize);
  const model = { ...shape, vocabSize: V, ...(encDec ? { encoder: { vocabSize: V } } : {}) };
  const problems = [...validateModel(model), ...validateTrain(s.train)];
  if (problems.length) return { params: 0, bytes: 0, problems };
  const mem = estimateMemory(model, s.train);
  const params = paramLayout(model).count;
  if (
    s.backend === 'webgpu' &&
    limits?.maxStorageBufferBindingSize &&
    limits.maxComputeWorkgroupsPerDimension
  )
    problems.push(...limitProblems(limits, model, s.train));
  if (s.backend === 'cpu' && params > CPU_MAX_PARAMS)
    problems.push(
      `The CPU fallback takes models up to ${CPU_MAX_PARAMS.toLocaleString('en-US')} parameters (this one has ${params.toLocaleString('en-US')}): choose fewer hidden units or layers.`,
    );
  return { params, bytes: mem.bytes, problems };
}

/** No run yet, a failed one, or settings changed since it was built ('starting' is already on its way). */
export function needsSetup(run: RunView = get().run): boolean {
  return run.status === 'none' || run.status === 'error' || run.stale;
}

export const runActions = {
  setCorpusText(text: string, name?: string): void {
    set((s) => ({
      corpus: { text, source: name ? { kind: 'text', name } : { kind: 'text' }, stats: null },
      run: { ...s.run, stale: s.run.status !== 'none' },
    }));
    updateStats();
    syncHash();
    remember(true);
  },

  usePreset(id: string): void {
    const text = syntheticTask(id).generate(get().train.seed, PRESET_CHARS);
    set((s) => ({
      corpus: { text, source: { kind: 'preset', id }, stats: null },
      run: { ...s.run, stale: s.run.status !== 'none' },
    }));
    updateStats();
    syncHash();
    remember(true);
  },

  setModel(patch: Partial<ModelShape>): void {
    set((s) => ({ model: { ...s.model, ...patch }, run: { ...s.run, stale: s.run.status !== 'none' } }));
    syncHash();
    remember();
  },

  setTrain(patch: Partial<TrainConfig>): void {
    const s = get();
    const train = { ...s.train, ...patch };
    const structural = Object.keys(patch).some((k) => !LIVE_KEYS.includes(k as keyof TrainConfig));
    set({ train, run: { ...s.run, stale: s.run.stale || (structural && s.run.status !== 'none') } });
    if (!structural && s.run.status === 'ready' && validateTrain(train).length === 0)
      send({ type: 'setHyper', patch });
    syncHash();
    remember();
  },

  /** Caps the vocabulary (0: no cap); the rarest characters then share U+FFFD. Takes effect on Reset. */
  setMaxVocab(n: number): void {
    set((s) => ({ maxVocab: n, run: { ...s.run, stale: s.run.status !== 'none' } }));
    remember();
  },

  /** Chooses what to learn: next characters, or a sequence task (its data is chosen in the corpus panel). */
  setTask(patch: Partial<TaskChoice>): void {
    set((s) => {
      const task = { ...s.task, ...patch };
      // A new kind starts from its first generated task.
      if (patch.kind && patch.kind !== s.task.kind && patch.kind !== 'lm')
        task.generated = GENERATED_TASKS.find((t) => t.kind === patch.kind)!.id;
      return { task, run: { ...s.run, stale: s.run.status !== 'none' } };
    });
    syncHash();
    remember();
  },

  setValEvery(n: number): void {
    set({ valEvery: n });
    if (get().run.status === 'ready') send({ type: 'setHyper', patch: {}, valEvery: n });
  },

  /** Builds the run from the edited experiment (discarding the current one). */
  setup(): void {
    const s = get();
    pendingLoad = null;
    live.reset();
    set({
      run: {
        ...s.run,
        status: 'starting',
        error: null,
        diverged: null,
        notice: null,
        speed: null,
        stale: false,
        state: 'idle',
      },
      sampling: { ...s.sampling, history: [], current: '' },
      taskEval: null,
    });
    compareActions.clear();
    send({
      type: 'setup',
      run: (runId = ++nextRun),
      setup: {
        text: s.corpus.text,
        model: modelForTask(s.model, s.task.kind),
        train: s.train,
        valFraction: s.valFraction,
        maxVocab: s.maxVocab,
        valEvery: s.valEvery,
        backend: s.backend,
        ...(s.task.kind === 'lm' ? {} : { task: taskSource(s.task) }),
      },
    });
  },

  /** Train / Pause. Builds the run first when there is none or the experiment changed. */
  toggle(): void {
    const { run } = get();
    if (run.state === 'training') return void send({ type: 'pause' });
    if (needsSetup()) runActions.setup();
    send({ type: 'play' });
  },

  step(): void {
    const { run } = get();
    if (run.state === 'training') return;
    if (needsSetup()) runActions.setup();
    send({ type: 'step' });
  },

  reset(): void {
    send({ type: 'pause' });
    runActions.setup();
  },

  setSampling(patch: Partial<SampleSettings>): void {
    set((s) => ({ sampling: { ...s.sampling, settings: { ...s.sampling.settings, ...patch } } }));
    remember();
  },

  sample(): void {
    const s = get();
    if (s.run.status !== 'ready' || s.sampling.running) return;
    const { prime, length, temperature, topK, topP, beam, seed } = s.sampling.settings;
    const request: SampleRequest = { prime, length, temperature, topK, topP, beam, seed };
    set({ sampling: { ...s.sampling, running: true, current: '', error: null } });
    send({ type: 'sample', id: ++sampleId, request });
  },

  download(optimizer = true): Promise<{ bytes: ArrayBuffer; name: string }> {
    return new Promise((resolve) => {
      modelWaiters.push((bytes, name) => resolve({ bytes, name }));
      send({ type: 'saveModel', optimizer });
    });
  },

  /**
   * The GPU device went away. With `recovering`, the worker is rebuilding the run on a new device from its
   * last recovery point (a `recovered` event follows); otherwise the run is gone and the next Train rebuilds it.
   */
  deviceLost(recovering: boolean): void {
    set((s) =>
      s.run.status === 'none' || s.backend === 'cpu'
        ? {}
        : recovering
          ? {
              run: {
                ...s.run,
                notice: 'The GPU device was lost. Acquiring a new one and restoring the model…',
              },
            }
          : {
              run: {
                ...s.run,
                status: 'none',
                state: 'idle',
                error:
                  'The GPU device was lost, and the model in GPU memory with it. Reconnect (below) and press Train to start again; your corpus and settings are kept, and the last autosaved model can be loaded with Load….',
              },
            },
    );
  },

  /** The PyTorch export folder of the current model as one .zip (core/torchExport.ts). */
  async exportTorch(): Promise<{ zip: Uint8Array; name: string }> {
    const { bytes } = await runActions.download(true);
    const ck = decodeCheckpoint(new Uint8Array(bytes));
    const folder = `unroll-${ck.task ? `${ck.task.kind}-` : ''}${ck.model.cell}-${ck.model.layers}x${ck.model.hiddenSize}-step${ck.step}`;
    const files = exportFiles(ck).map((f) => ({ name: `${folder}/${f.name}`, data: f.data }));
    return { zip: zipStore(files), name: `${folder}.zip` };
  },

  /**
   * Continues from a model file. The current run stays as it is until the worker has checked the file and
   * built the new run: a damaged or mismatched file leaves it untouched. `history` (a restored visit's charts)
   * is shown once the model is in.
   */
  load(bytes: ArrayBuffer, name = 'the model file', history?: { data: SavedHistory; step: number }): void {
    const s = get();
    pendingLoad = { run: ++nextRun, name, ...(history ? { history } : {}) };
    set({ run: { ...s.run, error: null } });
    send(
      {
        type: 'loadModel',
        run: pendingLoad.run,
        bytes,
        text: s.corpus.text,
        valEvery: s.valEvery,
        backend: s.backend,
        ...(s.task.kind === 'lm' ? {} : { task: { source: taskSource(s.task), seed: s.train.seed } }),
      },
      [bytes],
    );
  },
};

/** The worker's answer to a load: the new run replaces the current one, or the current one stays. */
function loadEvent(msg: FromWorker, load: NonNullable<typeof pendingLoad>): boolean {
  const s = get();
  if (msg.type === 'runError') {
    pendingLoad = null;
    set({
      run: {
        ...s.run,
        error: `Could not load ${load.name}: ${msg.message}${s.run.status === 'ready' ? ' The current model is unchanged.' : ''}`,
      },
    });
    return true;
  }
  if (msg.type !== 'runReady') return true;
  pendingLoad = null;
  runId = load.run;
  live.reset();
  if (load.history) live.restore(load.history.data, load.history.step);
  runReady(msg.info, { diverged: null, notice: null, stale: false, speed: null });
  return true;
}

/** A run the worker built is the current one: its facts in the store, the inside views refreshed. */
function runReady(info: RunInfo, reset: Partial<RunView> = {}): void {
  set((s) => ({
    run: { ...s.run, ...reset, status: 'ready', info, error: null, state: 'paused', tuning: false },
  }));
  useInspectStore.setState({ data: null, saturation: [], weights: null, weightNorms: [] });
  taskWeightsActions.reset();
  taskWeightsActions.refresh();
  inspectActions.refresh();
}

/** Folds one run event from the worker into the stores; false when the message is not a run event. */
export function handleRunEvent(msg: FromWorker): boolean {
  const s = get();
  if (pendingLoad && 'run' in msg && msg.run === pendingLoad.run) return loadEvent(msg, pendingLoad);
  if ('run' in msg && msg.run !== runId) return true;
  switch (msg.type) {
    case 'runReady':
      runReady(msg.info);
      return true;
    case 'runTuning':
      set({ run: { ...s.run, tuning: true } });
      return true;
    case 'recovered': {
      live.truncate(msg.step);
      const lost = msg.lostAt - msg.step;
      set({
        run: {
          ...s.run,
          notice: `The GPU device was lost (${msg.message}). Unroll acquired a new device and restored the model at step ${msg.step}${lost > 0 ? `; the ${lost} step${lost === 1 ? '' : 's'} after it are retrained` : ''}. Nothing else was lost.`,
        },
      });
      return true;
    }
    case 'runError':
      set({
        run: { ...s.run, status: s.run.status === 'starting' ? 'error' : s.run.status, error: msg.message },
      });
      return true;
    case 'runState':
      set({ run: { ...s.run, state: msg.state } });
      if (msg.state === 'paused' && s.run.state === 'training') scheduleAutosave();
      return true;
    case 'steps': {
      live.pushSteps(msg.points);
      if (s.run.state === 'training') inspectActions.maybeRefresh();
      else inspectActions.refresh();
      if (s.run.state !== 'training') scheduleAutosave();
      else if (performance.now() - lastAutosave > AUTOSAVE_EVERY_MS) autosave();
      const every = s.sampling.settings.every;
      if (every > 0 && msg.points.some((p) => p.step % every === 0)) runActions.sample();
      return true;
    }
    case 'validation':
      live.pushVal({ step: msg.step, nats: msg.nats, bits: msg.bits });
      return true;
    case 'taskEval': {
      const e = msg.evaluation;
      live.pushTask({ step: e.step, loss: e.loss, accuracy: e.accuracy, exact: e.exact });
      set({ taskEval: e });
      taskWeightsActions.refresh();
      return true;
    }
    case 'speed':
      set({ run: { ...s.run, speed: msg.speed } });
      return true;
    case 'diverged':
      set({ run: { ...s.run, diverged: msg.message } });
      return true;
    case 'sampleChunk':
      set({ sampling: { ...s.sampling, current: s.sampling.current + msg.text } });
      return true;
    case 'sampleDone': {
      const entry = {
        step: msg.step,
        at: new Date().toLocaleTimeString(),
        text: msg.text,
        ...(msg.beams ? { beams: msg.beams } : {}),
      };
      set({
        sampling: {
          ...s.sampling,
          running: false,
          current: msg.text,
          history: [entry, ...s.sampling.history].slice(0, 50),
        },
      });
      return true;
    }
    case 'sampleError':
      set({ sampling: { ...s.sampling, running: false, error: msg.message } });
      return true;
    case 'modelFile':
      modelWaiters.shift()?.(msg.bytes, msg.name);
      return true;
    case 'modelBlob':
      blobWaiters.shift()?.(msg.blob);
      return true;
    default:
      return false;
  }
}

export const PRESETS = SYNTHETIC_TASKS;
