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
  /** Encoder–decoder kinds: whole outputs right per input length (where a bottleneck state gives out). */
  byLength?: { length: number; count: number; exact: number }[];
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
