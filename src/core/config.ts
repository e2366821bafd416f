// Model and training configuration: the serialisable experiment (with the seed) and its validation.
// Validation returns every problem at once, in words a user can act on, before anything is allocated.

/** Recurrent cell types. `lstm-peephole` (Gers 2000) is Unroll's own and cannot be exported to PyTorch. */
export type CellType = 'rnn' | 'lstm' | 'gru' | 'lstm-peephole';
export const CELL_TYPES: readonly CellType[] = ['rnn', 'lstm', 'gru', 'lstm-peephole'];

export type OptimizerType = 'sgd' | 'rmsprop' | 'adam';
export const OPTIMIZER_TYPES: readonly OptimizerType[] = ['sgd', 'rmsprop', 'adam'];

/** The network's shape: embedding (V→E) → L recurrent layers of H units → linear (H→O). */
export interface ModelConfig {
  cell: CellType;
  /** Input tokens V (the embedding's rows). */
  vocabSize: number;
  /**
   * Classes O the head predicts: absent for a language model (O = V, the next character); the labels or
   * tags of a sequence task (issue 9).
   */
  outputSize?: number;
  /** Embedding width E; PyTorch's char-rnn convention is E = H. */
  embedSize: number;
  hiddenSize: number;
  layers: number;
  /** Initial state is a trained parameter per layer (h0, and c0 for LSTMs) instead of zeros. */
  learnedInit: boolean;
  /**
   * Encoder–decoder (issue 9): a second stack of `layers` (PyTorch `encoder.*`, with its own embedding of
   * `vocabSize` source tokens) runs the first `split` steps of each window; the model's own stack (`decoder.*`)
   * runs the rest, starting from the encoder's final state layer by layer.
   */
  encoder?: { vocabSize: number };
  /**
   * Additive attention (Bahdanau) for an encoder–decoder: before each decoder step the decoder's state scores
   * every encoder state, and the weighted context joins the decoder's input (its own input weights,
   * `attention.context.weight`). One layer on each side.
   */
  attention?: boolean;
  /**
   * Bidirectional (one layer): a second recurrent layer (PyTorch's `*_reverse` tensors) reads each sequence
   * backwards from its own last character; the head sees both directions' states side by side (2H).
   */
  bidirectional?: boolean;
}

/** How one iteration trains: window, batch, optimiser and its hyperparameters. */
export interface TrainConfig {
  /** BPTT length T: characters per window. */
  seqLen: number;
  batchSize: number;
  optimizer: OptimizerType;
  learningRate: number;
  /** Clip the global gradient norm to this value; 0 turns clipping off. */
  clipNorm: number;
  /** SGD momentum μ. */
  momentum: number;
  /** Adam β1, β2; RMSProp uses beta2 as its smoothing constant α. */
  beta1: number;
  beta2: number;
  eps: number;
  /** L2 penalty added to the gradient, PyTorch's `weight_decay`. */
  weightDecay: number;
  /**
   * Truncated BPTT: each window starts from the previous window's final state (h, and c for LSTMs) instead of
   * h0/c0 or zeros; streams still restart at epoch boundaries. False resets the state every iteration.
   */
  carryState: boolean;
  seed: number;
}

/**
 * Off its `valEvery` grid, a run validates after this many seconds of training (engine/runner.ts
 * validationDue): on a slow adapter the grid's first point would be minutes away.
 */
export const VAL_SECONDS = 15;

export const MAX_HIDDEN = 1024;
export const MAX_LAYERS = 4;

export const DEFAULT_TRAIN: TrainConfig = {
  seqLen: 64,
  batchSize: 32,
  optimizer: 'adam',
  learningRate: 2e-3,
  clipNorm: 5,
  momentum: 0.9,
  beta1: 0.9,
  beta2: 0.999,
  eps: 1e-8,
  weightDecay: 0,
  carryState: true,
  seed: 1,
};

/** Gate count G: weight_ih is (G·H, I). */
export function gateCount(cell: CellType): number {
  return cell === 'rnn' ? 1 : cell === 'gru' ? 3 : 4;
}

/** Activations saved per unit for backward: [i, f, g, o] for LSTMs, [r, z, n, hn] for GRU, [h] for RNN. */
export function actCount(cell: CellType): number {
  return cell === 'rnn' ? 1 : 4;
}

/** Classes the head predicts: the vocabulary for a language model, the labels or tags of a task. */
export function outputsOf(m: ModelConfig): number {
  return m.outputSize ?? m.vocabSize;
}

export function isLstm(cell: CellType): boolean {
  return cell === 'lstm' || cell === 'lstm-peephole';
}

function checkInt(errors: string[], name: string, v: number, lo: number, hi: number): void {
  if (!Number.isFinite(v) || !Number.isInteger(v)) errors.push(`${name} must be a whole number (got ${v}).`);
  else if (v < lo || v > hi) errors.push(`${name} must be between ${lo} and ${hi} (got ${v}).`);
}

function checkReal(errors: string[], name: string, v: number, lo: number, hi: number, loOpen = false): void {
  if (!Number.isFinite(v)) errors.push(`${name} must be a number (got ${v}).`);
  else if (v < lo || v > hi || (loOpen && v === lo))
    errors.push(`${name} must be ${loOpen ? 'above' : 'at least'} ${lo} and at most ${hi} (got ${v}).`);
}

/** Every problem with a model configuration; empty when it is valid. */
export function validateModel(m: ModelConfig): string[] {
  const errors: string[] = [];
  if (!CELL_TYPES.includes(m.cell))
    errors.push(`Cell must be one of ${CELL_TYPES.join(', ')} (got ${String(m.cell)}).`);
  checkInt(errors, 'Vocabulary size', m.vocabSize, 2, 65536);
  if (m.outputSize !== undefined) checkInt(errors, 'Output classes', m.outputSize, 2, 65536);
  checkInt(errors, 'Embedding size', m.embedSize, 1, 4096);
  checkInt(errors, 'Hidden size', m.hiddenSize, 1, MAX_HIDDEN);
  checkInt(errors, 'Layers', m.layers, 1, MAX_LAYERS);
  if (m.encoder) {
    checkInt(errors, 'Source vocabulary size', m.encoder.vocabSize, 1, 65536);
    if (m.learnedInit)
      errors.push(
        'An encoder–decoder model starts from zeros: learned initial states are for single stacks.',
      );
  }
  if (m.attention && !m.encoder)
    errors.push('Attention needs an encoder to attend to (a seq2seq or generate task).');
  if (m.bidirectional && m.encoder)
    errors.push('A bidirectional encoder is for classify and tag tasks (not with an encoder–decoder).');
  if (m.bidirectional && m.layers !== 1)
    errors.push(`A bidirectional model has one layer in each direction (got ${m.layers}).`);
  if (m.bidirectional && m.learnedInit)
    errors.push(
      'A bidirectional model starts both directions from zeros: learned initial states are for one direction.',
    );
  if (m.attention && m.layers !== 1)
    errors.push(`Attention works with one layer in the encoder and the decoder (got ${m.layers}).`);
  return errors;
}

/** Every problem with a training configuration; empty when it is valid. */
export function validateTrain(t: TrainConfig): string[] {
  const errors: string[] = [];
  checkInt(errors, 'BPTT length', t.seqLen, 1, 1024);
  checkInt(errors, 'Batch size', t.batchSize, 1, 1024);
  if (!OPTIMIZER_TYPES.includes(t.optimizer))
    errors.push(`Optimizer must be one of ${OPTIMIZER_TYPES.join(', ')}.`);
  checkReal(errors, 'Learning rate', t.learningRate, 0, 10, true);
  checkReal(errors, 'Clip threshold', t.clipNorm, 0, 1e6);
  checkReal(errors, 'Momentum', t.momentum, 0, 0.9999);
  checkReal(errors, 'β1', t.beta1, 0, 0.9999);
  checkReal(errors, 'β2', t.beta2, 0, 0.99999);
  checkReal(errors, 'ε', t.eps, 0, 1, true);
  checkReal(errors, 'Weight decay', t.weightDecay, 0, 1);
  if (typeof t.carryState !== 'boolean') errors.push('Carry state must be true or false.');
  checkInt(errors, 'Seed', t.seed, 0, 2 ** 32 - 1);
  return errors;
}
