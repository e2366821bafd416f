// The run as the UI sees it (low-rate facts only, DESIGN.md §3.5): the experiment being edited (corpus,
// model, training config — serialised to the URL hash), the run the worker holds, and the samples taken.
// Per-step values go to state/live.ts instead.
import { create } from 'zustand';
import { type CellType, DEFAULT_TRAIN, type TrainConfig } from '../core/config';
import { SYNTHETIC_TASKS } from '../core/synthetic';
import type { CorpusStats } from './corpusStats';
import { type TaskKind, taskValEvery } from '../core/tasks';
import type {
  Backend,
  BeamResult,
  ModelShape,
  RunInfo,
  RunState,
  Speed,
  TaskEvaluation,
} from '../worker/protocol';

export type CorpusSource = { kind: 'preset'; id: string } | { kind: 'text'; name?: string };

export interface SampleSettings {
  prime: string;
  length: number;
  temperature: number;
  topK: number;
  topP: number;
  beam: number;
  seed: number;
  /** Take a sample automatically every this many steps while training (0: off). */
  every: number;
}

export interface SampleEntry {
  step: number;
  at: string;
  text: string;
  beams?: BeamResult[];
}

export interface RunView {
  /** none: no run yet; starting: the worker is building it. */
  status: 'none' | 'starting' | 'ready' | 'error';
  /** While starting: the worker is timing the recurrent tile shapes on this GPU first. */
  tuning?: boolean;
  info: RunInfo | null;
  state: RunState;
  error: string | null;
  diverged: string | null;
  speed: Speed | null;
  /** The model shape, seed or corpus changed since the run was built: Reset applies them. */
  stale: boolean;
  /** Something happened to the run that the user should know (a device loss recovered). */
  notice?: string | null;
  /** The run was restored from the last visit. */
  restored?: { step: number; savedAt: string };
}

export interface RaceLane {
  info: RunInfo;
  state: RunState;
  speed: Speed | null;
  sample: string;
}

export interface RaceView {
  cells: CellType[];
  budget: number;
  status: 'none' | 'starting' | 'ready' | 'error';
  lanes: RaceLane[];
  error: string | null;
}

/** What the model learns: next characters (lm) or a sequence task from generated or the user's examples. */
export interface TaskChoice {
  kind: 'lm' | TaskKind;
  /** A generated task of this kind; '' for the user's own lines in `text`. */
  generated: string;
  text: string;
}

export interface RunStoreState {
  task: TaskChoice;
  /** The latest evaluation of a task run. */
  taskEval: TaskEvaluation | null;
  corpus: { text: string; source: CorpusSource; stats: CorpusStats | null };
  model: ModelShape;
  train: TrainConfig;
  valFraction: number;
  /** Vocabulary cap (0: none), core/vocab.ts. */
  maxVocab: number;
  valEvery: number;
  backend: Backend;
  run: RunView;
  sampling: {
    running: boolean;
    current: string;
    settings: SampleSettings;
    history: SampleEntry[];
    error: string | null;
  };
  race: RaceView;
  /** A write for the next visit failed (storage full or disabled); training goes on. */
  storageError: string | null;
}

export const PRESET_CHARS = 60_000;

export const DEFAULT_MODEL: ModelShape = {
  cell: 'lstm',
  embedSize: 64,
  hiddenSize: 64,
  layers: 1,
  learnedInit: false,
};

export const initialRunState: RunStoreState = {
  task: { kind: 'lm', generated: 'contains', text: '' },
  taskEval: null,
  corpus: {
    text: SYNTHETIC_TASKS.find((t) => t.id === 'grammar')!.generate(1, PRESET_CHARS),
    source: { kind: 'preset', id: 'grammar' },
    stats: null,
  },
  model: DEFAULT_MODEL,
  train: { ...DEFAULT_TRAIN, seqLen: 32, batchSize: 16, learningRate: 3e-3 },
  valFraction: 0.1,
  maxVocab: 0,
  valEvery: 100,
  backend: 'webgpu',
  run: { status: 'none', info: null, state: 'idle', error: null, diverged: null, speed: null, stale: false },
  sampling: {
    running: false,
    current: '',
    settings: { prime: 'the ', length: 200, temperature: 0.8, topK: 0, topP: 1, beam: 0, seed: 1, every: 0 },
    history: [],
    error: null,
  },
  race: { cells: ['rnn', 'lstm', 'gru'], budget: 200, status: 'none', lanes: [], error: null },
  storageError: null,
};

export const useRunStore = create<RunStoreState>(() => initialRunState);
export type { Alignment, ProbeStates } from '../worker/protocol';

/** How often the run validates: `valEvery` for a language model, at most every 20 steps for a task (worker). */
export const validationEvery = (s: RunStoreState): number =>
  s.task.kind === 'lm' ? s.valEvery : taskValEvery(s.valEvery);
