// What a sequence task's evaluation reports (issue 9), shared by TaskModel, the encoder–decoder codec, the
// worker protocol and the CLI.
import type { EventMap } from '../core/emitter';
import type { TrainConfig } from '../core/config';
import type { Example, TaskKind } from '../core/tasks';
import type { ModelShape } from './lm';
import type { StepMetrics } from './types';

export interface Prediction {
  input: string;
  target: string;
  predicted: string;
  correct: boolean;
}

export interface TaskEvaluation {
  step: number;
  /** Mean cross-entropy over labelled positions, nats. */
  loss: number;
  /** classify: examples right; tag: characters right; encoder–decoder: output characters right in place. */
  accuracy: number;
  /** tag, encoder–decoder: examples entirely right (equals accuracy for classify). */
  exact: number;
  classes: string[];
  /** confusion[true][predicted], counts (empty for encoder–decoder kinds). */
  confusion: number[][];
  /** The first validation examples with the model's answers. */
  predictions: Prediction[];
  /** Attention models: where the decoder looked while writing the first validation example's answer. */
  alignment?: Alignment;
  /**
   * The first validation example's top-layer hidden states (steps × units, the first 64 units), with the
   * reverse direction's at the same positions for a bidirectional model.
   */
  states?: ProbeStates;
  /** Encoder–decoder kinds: whole outputs right per input length (where a bottleneck state gives out). */
  byLength?: { length: number; count: number; exact: number }[];
}

/** The top layer's hidden states over one example: labels[t] is what step t read (START for a decoder's first). */
export interface ProbeLine {
  labels: string[];
  /** (steps, units) row-major */
  forward: Float32Array;
  /** A bidirectional model's reverse direction at the same positions. */
  reverse?: Float32Array;
}

/** The first validation examples seen from inside (the Inside heatmaps show the first; the finder all). */
export interface ProbeStates {
  units: number;
  /** The first example's forward top-layer gates, each (steps, units): LSTM i, f, g, o; GRU r, z, n; none for RNN. */
  gates: Float32Array[];
  /** The examples probed together (engine/taskProbe.ts probeExamples), the first first. */
  lines: ProbeLine[];
}

/** Attention weights of one decoded example: weights[k][i] for output step k (its characters, then END). */
export interface Alignment {
  input: string[];
  output: string[];
  weights: number[][];
}

export interface TaskEvents extends EventMap {
  metrics: StepMetrics & { epoch: number };
  /** A validation pass finished (startValidation / validate). */
  evaluation: TaskEvaluation;
  diverged: StepMetrics;
  error: string;
}

export interface TaskSetup {
  kind: TaskKind;
  examples: Example[];
  model: ModelShape;
  /** seqLen is set to the longest input; the state is never carried between batches. */
  train: TrainConfig;
  valFraction?: number;
  device: GPUDevice | null;
}
