// The engine's public types: what a training backend (GPU or the labelled CPU reference) accepts and emits.
import type { EventMap } from '../core/emitter';
import type { ModelConfig, TrainConfig } from '../core/config';
import type { ParamLayout } from '../core/params';
import type { CellTiles } from '../core/tiles';

import type { TokenBatch } from '../core/batches';

export type { TokenBatch } from '../core/batches';

/** What one iteration measured; arrives a few steps after the step that produced it (GPU readback ring). */
export interface StepMetrics {
  /** 1-based iteration number. */
  step: number;
  /** Mean cross-entropy over the window, nats/char. */
  loss: number;
  /** Global gradient norm before clipping. */
  gradNorm: number;
  /** Factor the gradient was multiplied by (1 = not clipped). */
  clipScale: number;
  /** Some gradient was NaN/∞: the update was skipped on the GPU. */
  nonFinite: boolean;
  /** L2 norm of each parameter tensor's gradient, in layout order. */
  tensorNorms: Float32Array;
  /** ‖∂L/∂h_t‖ per layer, each of length T. */
  dhNorms: Float32Array[];
  /** GPU milliseconds per phase when timestamp-query is available. */
  gpuMs?: Record<string, number>;
}

export interface EngineEvents extends EventMap {
  metrics: StepMetrics;
  /** Emitted with the metrics of a step whose gradient was not finite. */
  diverged: StepMetrics;
  error: string;
}

/** The hidden state carried into the next window: per layer (B, H) for h and c (zeros for non-LSTMs). */
export interface CarriedState {
  /** The next step resets instead of carrying (first step, epoch start, after a reshape). */
  fresh: boolean;
  h: Float32Array[];
  c: Float32Array[];
}

/** Everything a checkpoint needs from a trainer, read at one point of its step sequence. */
export interface TrainingCapture {
  /** The step count the capture reflects (steps submitted before it). */
  step: number;
  params: Float32Array;
  optimizer?: { m: Float32Array; v: Float32Array };
  state: CarriedState;
  /** The recurrent tile shapes the GPU engine compiled: a resume reuses them, so rounding stays identical. */
  tiles?: CellTiles;
}

/** The operations both backends offer; the tests drive them through this interface. */
export interface Trainer {
  readonly kind: 'gpu' | 'cpu';
  readonly model: ModelConfig;
  readonly train: TrainConfig;
  readonly layout: ParamLayout;
  /** Iterations submitted so far. */
  readonly stepCount: number;
  /** Runs one training iteration (on the GPU: encodes and submits it, without waiting). */
  step(batch: TokenBatch): void;
  /** Changes hyperparameters between steps; a new seqLen or batchSize reallocates activations. */
  setConfig(patch: Partial<TrainConfig>): void;
  /** Resolves when every submitted step has finished and its metrics have been emitted. */
  flush(): Promise<void>;
  readParams(): Promise<Float32Array>;
  writeParams(data: Float32Array): Promise<void>;
  /** Optimiser state: SGD velocity or Adam's first moment in m; second moments in v. */
  readOptimizerState(): Promise<{ m: Float32Array; v: Float32Array }>;
  /** Restores optimiser state and the step count the update formulas use (bias correction). */
  writeOptimizerState(state: { m: Float32Array; v: Float32Array }, stepCount: number): Promise<void>;
  /** The next step starts from h0/c0 (or zeros) instead of the carried state. */
  resetState(): void;
  readState(): Promise<CarriedState>;
  writeState(state: CarriedState): void;
  /**
   * Parameters, optimiser state (with `optimizer`) and carried state as of the steps submitted so far, read
   * together: steps submitted after the call do not leak into it, so a save while training is consistent.
   */
  capture(optimizer: boolean): Promise<TrainingCapture>;
  dispose(): void;
}

/** How an engine runs its steps, beyond the configuration (tests and the benchmark compare the two ways). */
export interface EngineOptions {
  /**
   * Step a single stack's layers as one wavefront where the model and tiles allow (engine/plan.ts); by
   * default, where the tiles say so (CellTiles.wave: the tuner found it faster on this device).
   */
  wave?: boolean;
  /** The recurrent steps' tiles, instead of what the tuner chose for this shape (tilesFor). */
  tiles?: CellTiles;
}
