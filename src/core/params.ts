// Parameter layout: every tensor's PyTorch name, shape and offset in the one flat f32 buffer that holds
// parameters (and, with the same layout, gradients and optimiser state). Offsets are 64-element aligned so
// each tensor starts on a 256-byte boundary; the padding stays zero through training.
import { type ModelConfig, gateCount, isLstm, outputsOf } from './config';
import { Rng } from './rng';

export const ALIGN = 64;

/** How a tensor is initialised (PyTorch defaults). */
export type InitKind = 'normal' | 'uniform-hidden' | 'uniform-fan-in' | 'zeros';

/** One named tensor in the flat buffer. */
export interface TensorSpec {
  /** PyTorch state_dict name, e.g. `rnn.weight_hh_l0`. */
  name: string;
  shape: number[];
  offset: number;
  size: number;
  init: InitKind;
  /** Layer index for recurrent tensors, -1 for embedding and head. */
  layer: number;
  /** Present in PyTorch's modules (false for peepholes and learned initial states). */
  pytorch: boolean;
}

/** Tensors of one recurrent layer, by role. */
export interface LayerTensors {
  weightIh: TensorSpec;
  weightHh: TensorSpec;
  biasIh: TensorSpec;
  biasHh: TensorSpec;
  /** (3, H): peephole weights for gates i, f (see c_{t−1}) and o (sees c_t). */
  peephole?: TensorSpec;
  h0?: TensorSpec;
  c0?: TensorSpec;
}

/** An embedding and the recurrent layers that read it. */
export interface StackTensors {
  embedding: TensorSpec;
  layers: LayerTensors[];
}

export interface ParamLayout {
  tensors: TensorSpec[];
  /** The (decoder's) embedding: the stack the head reads. */
  embedding: TensorSpec;
  layers: LayerTensors[];
  /** Encoder–decoder models: the encoder stack, run on the first `split` steps of a window. */
  encoder?: StackTensors;
  /** Bidirectional models: the reverse direction's layers (`rnn.*_l0_reverse`); the head reads 2H. */
  reverse?: LayerTensors[];
  /** Attention models (A = H): query W_q (A, H), key W_k (A, H), energy v (1, A), context W_c (G·H, H). */
  attention?: { query: TensorSpec; key: TensorSpec; energy: TensorSpec; context: TensorSpec };
  headWeight: TensorSpec;
  headBias: TensorSpec;
  /** Total floats including alignment padding. */
  totalSize: number;
  /** Trainable values, padding excluded. */
  count: number;
}

/** The parameter layout of a model configuration. */
export function paramLayout(m: ModelConfig): ParamLayout {
  const tensors: TensorSpec[] = [];
  let offset = 0;
  const add = (name: string, shape: number[], init: InitKind, layer = -1, pytorch = true): TensorSpec => {
    const size = shape.reduce((a, b) => a * b, 1);
    const t: TensorSpec = { name, shape, offset, size, init, layer, pytorch };
    tensors.push(t);
    offset += Math.ceil(size / ALIGN) * ALIGN;
    return t;
  };
  const G = gateCount(m.cell);
  const H = m.hiddenSize;
  // Layer l of a stack (`prefix`: '', 'encoder.', 'decoder.'); `suffix` '_reverse' for a reverse direction.
  const layer = (prefix: string, l: number, suffix = ''): LayerTensors => {
    const I = l === 0 ? m.embedSize : H;
    const name = (what: string) => `${prefix}rnn.${what}_l${l}${suffix}`;
    const lt: LayerTensors = {
      weightIh: add(name('weight_ih'), [G * H, I], 'uniform-hidden', l),
      weightHh: add(name('weight_hh'), [G * H, H], 'uniform-hidden', l),
      biasIh: add(name('bias_ih'), [G * H], 'uniform-hidden', l),
      biasHh: add(name('bias_hh'), [G * H], 'uniform-hidden', l),
    };
    if (m.cell === 'lstm-peephole')
      lt.peephole = add(name('weight_peep'), [3, H], 'uniform-hidden', l, false);
    if (m.learnedInit) {
      lt.h0 = add(name('h0'), [H], 'zeros', l, false);
      if (isLstm(m.cell)) lt.c0 = add(name('c0'), [H], 'zeros', l, false);
    }
    return lt;
  };
  const stack = (prefix: string, V: number): StackTensors => ({
    embedding: add(`${prefix}embedding.weight`, [V, m.embedSize], 'normal'),
    layers: Array.from({ length: m.layers }, (_, l) => layer(prefix, l)),
  });
  const encoder = m.encoder ? stack('encoder.', m.encoder.vocabSize) : undefined;
  const { embedding, layers } = stack(m.encoder ? 'decoder.' : '', m.vocabSize);
  const reverse = m.bidirectional ? [layer('', 0, '_reverse')] : undefined;
  const attention = m.attention
    ? {
        query: add('attention.query.weight', [H, H], 'uniform-hidden'),
        key: add('attention.key.weight', [H, H], 'uniform-hidden'),
        energy: add('attention.energy.weight', [1, H], 'uniform-hidden'),
        context: add('attention.context.weight', [G * H, H], 'uniform-hidden'),
      }
    : undefined;
  const O = outputsOf(m);
  // PyTorch's head over a bidirectional RNN is Linear(2H, O): [forward; reverse] at each step.
  const headWeight = add('head.weight', [O, reverse ? 2 * H : H], 'uniform-fan-in');
  const headBias = add('head.bias', [O], 'uniform-fan-in');
  return {
    tensors,
    embedding,
    layers,
    ...(encoder ? { encoder } : {}),
    ...(attention ? { attention } : {}),
    ...(reverse ? { reverse } : {}),
    headWeight,
    headBias,
    totalSize: offset,
    count: tensors.reduce((a, t) => a + t.size, 0),
  };
}

/**
 * Fresh parameters as PyTorch initialises them: embedding N(0, 1), recurrent tensors U(−1/√H, 1/√H), the
 * head U(−1/√fan_in, 1/√fan_in) as nn.Linear does (fan-in H, or 2H behind a bidirectional layer), learned
 * initial states zero. Seeded, so a seed reproduces a model.
 */
export function initParams(m: ModelConfig, layout: ParamLayout, seed: number): Float32Array {
  const rng = new Rng(seed);
  const out = new Float32Array(layout.totalSize);
  const headFanIn = layout.headWeight.shape[1] ?? m.hiddenSize;
  for (const t of layout.tensors) {
    const fanIn = t === layout.headWeight || t === layout.headBias ? headFanIn : m.hiddenSize;
    const bound = 1 / Math.sqrt(fanIn);
    for (let i = 0; i < t.size; i++) {
      const v = t.init === 'normal' ? rng.normal() : t.init === 'zeros' ? 0 : rng.uniform(-bound, bound);
      out[t.offset + i] = v;
    }
  }
  return out;
}

/** Steps [start, end) of a window that one stack runs, with the vocabulary its embedding has. */
export interface Segment extends StackTensors {
  start: number;
  end: number;
  vocabSize: number;
}

/**
 * The stacks a window of T steps runs: for an encoder–decoder model the encoder on steps [0, split) and the
 * decoder on [split, T) (split 0: decoder only, split T: encoder only); otherwise the one stack on all T.
 */
export function segmentsOf(m: ModelConfig, layout: ParamLayout, T: number, split = 0): Segment[] {
  const own = { embedding: layout.embedding, layers: layout.layers, vocabSize: m.vocabSize };
  if (!layout.encoder || !m.encoder) {
    if (split) throw new Error('Only an encoder–decoder model splits its window.');
    return [{ ...own, start: 0, end: T }];
  }
  if (!(Number.isInteger(split) && split >= 0 && split <= T))
    throw new Error(`An encoder–decoder window needs 0 ≤ split ≤ T (got split ${split}, T ${T}).`);
  const segs = [
    { ...layout.encoder, vocabSize: m.encoder.vocabSize, start: 0, end: split },
    { ...own, start: split, end: T },
  ];
  return segs.filter((sg) => sg.end > sg.start);
}
