// The typed message protocol between the UI thread (state/) and the training worker. Every message the two
// sides exchange is declared here, so both ends are checked against one definition.
import type { CellTiles } from '../core/tiles';
import type { CellType, ModelConfig, TrainConfig } from '../core/config';
import type { AdapterReport } from '../gpu/device';
import type { CheckResult } from '../gpu/kernels/registry';
import type { ModelShape } from '../engine/lm';
import type { RunState, Speed, StepPoint } from '../engine/runner';
import type { Inspection } from '../engine/inference';
import type { TaskKind, TaskSource } from '../core/tasks';
import type { TaskEvaluation } from '../engine/taskModel';

import type { Alignment } from '../engine/taskModel';
export type { Alignment, TaskEvaluation, Prediction, ProbeStates } from '../engine/taskModel';

export type { Inspection } from '../engine/inference';

export type { RunState, Speed, StepPoint } from '../engine/runner';
export type { ModelShape } from '../engine/lm';

export type Backend = 'webgpu' | 'cpu';

/** Everything a run is created from; the UI keeps it and sends it whole. */
export interface RunSetup {
  text: string;
  model: ModelShape;
  train: TrainConfig;
  valFraction: number;
  /** Vocabulary cap: the rarest characters share U+FFFD (0: none). */
  maxVocab: number;
  /** Start a validation pass every this many steps. */
  valEvery: number;
  backend: Backend;
  /** A sequence task (issue 9) instead of the character LM: `text` is then unused. */
  task?: TaskSource;
}

/** What the worker reports about a run it created. */
export interface RunInfo {
  model: ModelConfig;
  train: TrainConfig;
  vocab: string[];
  paramCount: number;
  memoryBytes: number;
  trainChars: number;
  valChars: number;
  backend: Backend;
  step: number;
  /** A sequence task's classes, example counts and window (the longest input). */
  task?: { kind: TaskKind; classes: string[]; trainExamples: number; valExamples: number; T: number };
  /** The fused recurrent steps' tile shapes on the GPU backend (engine/tuner.ts chose them). */
  tiles?: CellTiles;
  /**
   * Candidates the tuner left out because their outputs differed from the default tile's on this GPU
   * (engine/tileCheck.ts): a driver or kernel fault, which the self-test should then name.
   */
  tilesLeftOut?: string[];
}

export interface SampleRequest {
  prime: string;
  length: number;
  temperature: number;
  topK: number;
  topP: number;
  /** 0: sample; ≥ 1: beam search with this width. */
  beam: number;
  seed: number;
}

export interface BeamResult {
  text: string;
  logProb: number;
  score: number;
}

/** One layer's weight matrices and the norm of every parameter tensor, for the weights view. */
export interface WeightSnapshot {
  layer: number;
  /** Every recurrent layer a view may pick, by index (encoder ones first, then the layers the head reads). */
  layers: string[];
  /** (G·H, I) and (G·H, H), PyTorch layout and gate order */
  wih: Float32Array;
  whh: Float32Array;
  inputs: number;
  /** Frobenius norm per tensor, by PyTorch name */
  norms: Record<string, number>;
}

/** UI → worker. */
export type ToWorker =
  /** Acquire the GPU device (again, after a loss); gpu false when the page has no WebGPU. */
  | { type: 'init'; gpu: boolean }
  /** Run every registered kernel's GPU-vs-reference check. */
  | { type: 'selfTest' }
  /** Destroy the device on purpose, to exercise device-loss recovery. */
  | { type: 'simulateDeviceLoss' }
  /** `run` tags every event of the run, so events of a replaced run are recognised and dropped. */
  | { type: 'setup'; run: number; setup: RunSetup }
  | { type: 'play' }
  | { type: 'pause' }
  | { type: 'step' }
  | { type: 'setHyper'; patch: Partial<TrainConfig>; valEvery?: number }
  /** `lane`: sample from a race lane instead of the main run. */
  | { type: 'sample'; id: number; request: SampleRequest; lane?: number }
  /**
   * Task runs: train the same model with the task's switch flipped (attention, or the reverse layer) for
   * `steps` steps on the same data, and report its evaluation next to this run's.
   */
  | { type: 'compare'; id: number; steps: number }
  /** Encoder–decoder task runs: decode `input` greedily (beam 1) or with a beam of that width. */
  | { type: 'decode'; id: number; input: string; beam: number }
  /** A forward pass over `text` for the inside views (characters outside the vocabulary are dropped). */
  | { type: 'inspect'; id: number; text: string; weightsLayer?: number }
  /** A weight snapshot alone (task runs, which have no probe text): recurrent layer `layer` of the list. */
  | { type: 'weights'; id: number; layer: number }
  /** Race mode: one run per cell on the same corpus, seed and step budget, trained side by side. */
  | { type: 'raceSetup'; run: number; cells: CellType[]; budget: number; setup: RunSetup }
  | { type: 'racePlay' }
  | { type: 'racePause' }
  /**
   * The current model file: as bytes (`modelFile`, a download) or, with `blob`, as a Blob (`modelBlob`, the
   * autosave: a Blob reaches IndexedDB without the page copying the bytes on its thread).
   */
  | { type: 'saveModel'; optimizer: boolean; blob?: boolean }
  /** Resume from a model file on the given corpus (the file must come from that corpus). */
  | {
      type: 'loadModel';
      run: number;
      bytes: ArrayBuffer;
      text: string;
      valEvery: number;
      backend: Backend;
      /** A task model: its data (the examples are regenerated or re-read with `seed`). */
      task?: { source: TaskSource; seed: number };
    };

/** Worker → UI. */
export type FromWorker =
  | { type: 'ready'; adapter: AdapterReport }
  | { type: 'unavailable'; reason: string; message: string }
  /** `recovering`: the worker is acquiring a new device and will restore the run (then `recovered`). */
  | { type: 'deviceLost'; message: string; expected: boolean; recovering: boolean }
  | { type: 'gpuError'; message: string }
  | { type: 'selfTestResult'; result: CheckResult; done: number; total: number }
  | { type: 'selfTestDone'; passed: number; failed: number; skipped: number; ms: number }
  | { type: 'error'; message: string }
  | { type: 'runReady'; info: RunInfo; run: number }
  /** The run's shape is being tuned on this GPU first (engine/tuner.ts), before it is built. */
  | { type: 'runTuning'; run: number }
  | { type: 'runError'; message: string; run: number }
  /** After a device loss: the run was rebuilt on a new device from its last recovery point (`step`). */
  | { type: 'recovered'; run: number; step: number; lostAt: number; message: string }
  | { type: 'runState'; state: RunState; run: number }
  | { type: 'steps'; points: StepPoint[]; run: number }
  | { type: 'validation'; step: number; nats: number; bits: number; run: number }
  | { type: 'taskEval'; evaluation: TaskEvaluation; run: number }
  | { type: 'speed'; speed: Speed; run: number }
  | { type: 'diverged'; step: number; message: string; run: number }
  | { type: 'sampleChunk'; id: number; text: string }
  | { type: 'sampleDone'; id: number; text: string; beams?: BeamResult[]; ms: number; step: number }
  | { type: 'sampleError'; id: number; message: string }
  | { type: 'compareProgress'; id: number; step: number; steps: number }
  | { type: 'compareDone'; id: number; model: ModelConfig; evaluation: TaskEvaluation }
  | { type: 'compareError'; id: number; message: string }
  /** A decode's outputs, best first (log-probabilities with END), and where attention looked (greedy). */
  | {
      type: 'decoded';
      id: number;
      input: string;
      outputs: { text: string; logProb: number }[];
      alignment?: Alignment;
      error?: string;
    }
  | { type: 'modelFile'; bytes: ArrayBuffer; name: string }
  | { type: 'modelBlob'; blob: Blob; step: number }
  | { type: 'inspection'; id: number; step: number; text: string; data: Inspection; weights?: WeightSnapshot }
  | { type: 'inspectError'; id: number; message: string }
  | { type: 'weights'; id: number; step: number; weights: WeightSnapshot }
  | { type: 'weightsError'; id: number; message: string }
  | { type: 'raceReady'; run: number; lanes: RunInfo[] }
  | { type: 'raceSteps'; run: number; lane: number; points: StepPoint[] }
  | { type: 'raceValidation'; run: number; lane: number; step: number; nats: number; bits: number }
  | { type: 'raceState'; run: number; lane: number; state: RunState; speed?: Speed }
  | { type: 'raceError'; run: number; message: string };
