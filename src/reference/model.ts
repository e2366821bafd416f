// Float64 reference of a whole training iteration's forward and backward pass: embedding → L recurrent
// layers → linear head → mean softmax cross-entropy, then BPTT back to every parameter. It composes the
// per-kernel references exactly as the GPU engine composes its kernels, so each intermediate can be compared.
import { type CellType, type ModelConfig, actCount, gateCount, isLstm, outputsOf } from '../core/config';
import { type LayerTensors, type ParamLayout, type Segment, segmentsOf } from '../core/params';
import { matmulSpec } from '../core/matmul';
import { matmul } from './matmul';
import { type CellWeights, cellBackwardStep, cellForwardStep } from './cells';
import { embeddingBackward, embeddingGather } from './embedding';
import { type AttentionRun, attentionRun } from './attention';
import { type ReverseInputs, reverseBackward, reverseForward } from './bidirectional';
import { concatBackward, concatForward } from './concat';
import { softmaxXent } from './loss';
import { addInto, colSum, view } from './tensors';

export { colSum } from './tensors';

/** A batch: tokens as (T, B) row-major, index t·B + b; targets are the next characters. */
export interface Batch {
  T: number;
  B: number;
  inputs: ArrayLike<number>;
  targets: ArrayLike<number>;
  /** Rows the loss is averaged over (the labelled positions of a sequence task); default T·B. */
  count?: number;
  /** Encoder–decoder models: steps [0, split) run the encoder (see core/params.ts segmentsOf). */
  split?: number;
  /** Bidirectional models: what the reverse direction reads (reference/bidirectional.ts). */
  reverse?: ReverseInputs;
}

/** Per-layer initial state (B, H) each, carried from the previous window; overrides h0/c0. */
export interface InitialState {
  h: ArrayLike<number>[];
  c: ArrayLike<number>[];
  /** Per sequence: start from h0/c0 (or zeros) instead, so its gradient reaches h0. Default: none. */
  reset?: ArrayLike<boolean>;
}

export interface ForwardBackward {
  loss: number;
  /** (T·B) per-position loss */
  losses: Float64Array;
  /** (T·B, V) */
  logits: Float64Array;
  /** flat, same layout as the parameters */
  grads: Float64Array;
  /** per layer, (T+1, B, H): slot 0 is the initial state */
  hs: Float64Array[];
  cs: Float64Array[];
  /** per layer, (T): ‖∂L/∂h_t‖ over the batch; a bidirectional model's reverse direction after them */
  dhNorms: Float64Array[];
  /** per layer, (B, H): the state after the last step (carried to the next window) */
  finalH: Float64Array[];
  finalC: Float64Array[];
}

const mm = (m: number, n: number, k: number, transA: boolean, transB: boolean) =>
  matmulSpec(m, n, k, { transA, transB });

/** One layer's forward over T steps; states are (T+1, B, H) with slot 0 the initial state. */
export interface LayerForward {
  h: Float64Array;
  c: Float64Array;
  /** (T, B, A·H) */
  act: Float64Array;
}

/** A layer's recurrent weights, or per step (an encoder–decoder window switches stacks at its split). */
export type StepWeights = CellWeights | ((t: number) => CellWeights);

const at = (w: StepWeights, t: number): CellWeights => (typeof w === 'function' ? w(t) : w);

/** Runs T fused steps of one layer from the input projection gx (T, B, G·H) and initial states h0, c0 (B, H). */
export function layerForward(
  cell: CellType,
  T: number,
  B: number,
  H: number,
  gx: ArrayLike<number>,
  weights: StepWeights,
  h0: ArrayLike<number>,
  c0: ArrayLike<number>,
  /** Added to step t's input projection, given the states so far (attention's context). */
  inject?: (t: number, h: Float64Array) => Float64Array | null,
): LayerForward {
  const G = gateCount(cell);
  const A = actCount(cell);
  const h = new Float64Array((T + 1) * B * H);
  const c = new Float64Array((T + 1) * B * H);
  const act = new Float64Array(T * B * A * H);
  h.set(Array.from(h0), 0);
  if (isLstm(cell)) c.set(Array.from(c0), 0);
  for (let t = 0; t < T; t++) {
    const gxt = Array.prototype.slice.call(gx, t * B * G * H, (t + 1) * B * G * H) as number[];
    const extra = inject?.(t, h);
    if (extra) for (let i = 0; i < gxt.length; i++) gxt[i]! += extra[i]!;
    const step = cellForwardStep(
      cell,
      B,
      H,
      gxt,
      at(weights, t),
      h.subarray(t * B * H, (t + 1) * B * H),
      c.subarray(t * B * H, (t + 1) * B * H),
    );
    h.set(step.h, (t + 1) * B * H);
    c.set(step.c, (t + 1) * B * H);
    act.set(step.act, t * B * A * H);
  }
  return { h, c, act };
}

/** One layer's BPTT: pre-activation gradients for all T, what reaches the initial state, and ‖∂L/∂h_t‖. */
export interface LayerBackward {
  /** (T, B, G·H) */
  dgx: Float64Array;
  dgh: Float64Array;
  /** (3H) summed peephole gradient */
  dpeep: Float64Array;
  /** (T, 3H) the peephole gradient of each step, summed over the batch */
  dpeepSteps: Float64Array;
  /** (T, B, H) total gradient on each h_t */
  dhFull: Float64Array;
  /** (T) */
  dhNorms: Float64Array;
  /** (B, H) ∂L/∂h_{−1} and ∂L/∂c_{−1} */
  dInitH: Float64Array;
  dInitC: Float64Array;
}

/** Reverse sweep over T steps of one layer, given ∂L/∂h_t from above for all t (T, B, H). */
export function layerBackward(
  cell: CellType,
  T: number,
  B: number,
  H: number,
  dAbove: ArrayLike<number>,
  fwd: LayerForward,
  weights: StepWeights,
  /** Called with step t's dgx before step t−1: may add to dAbove's earlier rows (attention's backward). */
  afterStep?: (t: number, dgx: Float64Array) => void,
): LayerBackward {
  const G = gateCount(cell);
  const A = actCount(cell);
  const dgx = new Float64Array(T * B * G * H);
  const dgh = new Float64Array(T * B * G * H);
  const dpeep = new Float64Array(3 * H);
  const dpeepSteps = new Float64Array(T * 3 * H);
  const dhFull = new Float64Array(T * B * H);
  const dhNorms = new Float64Array(T);
  let dhDirect: Float64Array = new Float64Array(B * H);
  let dcNext: Float64Array = new Float64Array(B * H);
  let dghNext: Float64Array | null = null;
  const sl = (x: Float64Array, k: number, w: number) => x.subarray(k * B * w, (k + 1) * B * w);
  for (let t = T - 1; t >= 0; t--) {
    // Total gradient on h_t: from above, elementwise from t+1, and through W_hh from t+1.
    const dh = new Float64Array(B * H);
    for (let i = 0; i < B * H; i++) dh[i] = (dAbove[t * B * H + i] as number) + (dhDirect[i] as number);
    if (dghNext) addInto(dh, 0, matmul(mm(B, H, G * H, false, false), dghNext, at(weights, t + 1).whh));
    dhFull.set(dh, t * B * H);
    dhNorms[t] = Math.sqrt(dh.reduce((s, v) => s + v * v, 0));
    const back = cellBackwardStep(
      cell,
      B,
      H,
      dh,
      dcNext,
      sl(fwd.act, t, A * H),
      sl(fwd.h, t, H),
      sl(fwd.c, t, H),
      sl(fwd.c, t + 1, H),
      at(weights, t).peep,
    );
    dgx.set(back.dgx, t * B * G * H);
    afterStep?.(t, back.dgx);
    dgh.set(back.dgh, t * B * G * H);
    dhDirect = back.dhDirect;
    dcNext = back.dcPrev;
    dghNext = back.dgh;
    if (back.dpeep) {
      const step = colSum(B, 3 * H, back.dpeep);
      addInto(dpeep, 0, step);
      dpeepSteps.set(step, t * 3 * H);
    }
  }
  const dInitH = matmul(mm(B, H, G * H, false, false), dghNext!, at(weights, 0).whh);
  addInto(dInitH, 0, dhDirect);
  return { dgx, dgh, dpeep, dpeepSteps, dhFull, dhNorms, dInitH, dInitC: dcNext };
}

/** The recurrent weights of one layer as float64 views. */
export function layerWeights(params: ArrayLike<number>, lt: LayerTensors): CellWeights {
  return {
    whh: view(params, lt.weightHh),
    bhh: view(params, lt.biasHh),
    ...(lt.peephole ? { peep: view(params, lt.peephole) } : {}),
  };
}

/** A layer's input projection of `rows` rows: input (rows, I) · W_ihᵀ + b_ih → (rows, G·H). */
export function projectInput(
  params: ArrayLike<number>,
  lt: LayerTensors,
  input: ArrayLike<number>,
  rows: number,
  G: number,
  H: number,
  I: number,
): Float64Array {
  return matmul(
    { ...mm(rows, G * H, I, false, true), bias: true },
    input,
    view(params, lt.weightIh),
    undefined,
    view(params, lt.biasIh),
  );
}

/**
 * Adds a layer's weight gradients over `rows` rows (its input, the states before each step, the steps'
 * dgx/dgh and peephole gradients summed over them) into `grads`; returns dgx · W_ih, the gradient for the
 * layer's input (rows, I).
 */
export function addLayerGrads(
  params: ArrayLike<number>,
  grads: Float64Array,
  lt: LayerTensors,
  r: {
    dgx: Float64Array;
    dgh: Float64Array;
    input: ArrayLike<number>;
    hPrev: ArrayLike<number>;
    dpeep: ArrayLike<number>;
  },
  rows: number,
  G: number,
  H: number,
  I: number,
): Float64Array {
  addInto(grads, lt.weightIh.offset, matmul(mm(G * H, I, rows, true, false), r.dgx, r.input));
  addInto(grads, lt.weightHh.offset, matmul(mm(G * H, H, rows, true, false), r.dgh, r.hPrev));
  addInto(grads, lt.biasIh.offset, colSum(rows, G * H, r.dgx));
  addInto(grads, lt.biasHh.offset, colSum(rows, G * H, r.dgh));
  if (lt.peephole) addInto(grads, lt.peephole.offset, r.dpeep);
  return matmul(mm(rows, I, G * H, false, false), r.dgx, view(params, lt.weightIh));
}

/** The forward pass: per-layer states and activations, and the logits (N, V). */
export interface ModelForward {
  /** Attention models: the keys and each decoder step's weights and context. */
  attention?: AttentionRun;
  /** Bidirectional models: the reverse direction's embedded input and layer. */
  reverse?: ReturnType<typeof reverseForward>;
  /** (N, H), or (N, 2H) [forward; reverse] for a bidirectional model: what the head reads. */
  top: Float64Array;
  x0: Float64Array;
  hs: Float64Array[];
  cs: Float64Array[];
  acts: Float64Array[];
  logits: Float64Array;
}

/** Rows [start·B, end·B) of a (T·B, width) matrix. */
const rowsOf = (x: Float64Array, sg: Segment, B: number, width: number): Float64Array =>
  x.subarray(sg.start * B * width, sg.end * B * width);

/** Recurrent weights of layer l at each step: the stack whose segment holds the step. */
function weightsOf(params: ArrayLike<number>, segs: Segment[], l: number): (t: number) => CellWeights {
  const per = segs.map((sg) => layerWeights(params, sg.layers[l]!));
  return (t) => per[segs.findIndex((sg) => t < sg.end)]!;
}

/** Forward pass of a window in float64: embedding → L layers (from `initial` or h0/c0) → head. */
export function modelForward(
  cfg: ModelConfig,
  layout: ParamLayout,
  params: ArrayLike<number>,
  batch: Pick<Batch, 'T' | 'B' | 'inputs' | 'split' | 'reverse'>,
  initial?: InitialState,
): ModelForward {
  const { T, B } = batch;
  const H = cfg.hiddenSize;
  const E = cfg.embedSize;
  const G = gateCount(cfg.cell);
  const N = T * B;
  const L = cfg.layers;
  const segs = segmentsOf(cfg, layout, T, batch.split);

  const fromInit = (b: number): boolean => !initial || !!initial.reset?.[b];
  // One layer (config validation): the decoder's steps attend to the encoder's.
  const attention =
    layout.attention && segs.length === 2
      ? attentionRun(B, H, G, batch.split!, params, layout.attention)
      : undefined;
  // ---- forward: each stack embeds and projects its own steps
  const x0 = new Float64Array(N * E);
  for (const sg of segs) {
    const tokens = Array.prototype.slice.call(batch.inputs, sg.start * B, sg.end * B) as number[];
    x0.set(embeddingGather(E, view(params, sg.embedding), tokens), sg.start * B * E);
  }
  const hs: Float64Array[] = [];
  const cs: Float64Array[] = [];
  const acts: Float64Array[] = [];
  let input: Float64Array = x0;
  for (let l = 0; l < L; l++) {
    const lt = segs[0]!.layers[l]!;
    const I = l === 0 ? E : H;
    const gx = new Float64Array(N * G * H);
    for (const sg of segs) {
      const rows = (sg.end - sg.start) * B;
      gx.set(
        projectInput(params, sg.layers[l]!, rowsOf(input, sg, B, I), rows, G, H, I),
        sg.start * B * G * H,
      );
    }
    const h0 = new Float64Array(B * H);
    const c0 = new Float64Array(B * H);
    for (let b = 0; b < B; b++) {
      const carry = !fromInit(b);
      for (let j = 0; j < H; j++) {
        h0[b * H + j] = carry ? initial!.h[l]![b * H + j]! : lt.h0 ? params[lt.h0.offset + j]! : 0;
        c0[b * H + j] = carry ? (initial!.c[l]?.[b * H + j] ?? 0) : lt.c0 ? params[lt.c0.offset + j]! : 0;
      }
    }
    const inject = attention ? (t: number, h: Float64Array) => attention.inject(t, h) : undefined;
    const { h, c, act } = layerForward(cfg.cell, T, B, H, gx, weightsOf(params, segs, l), h0, c0, inject);
    hs.push(h);
    cs.push(c);
    acts.push(act);
    input = h.subarray(B * H);
  }
  let top: Float64Array = hs[L - 1]!.subarray(B * H); // (N, H)
  let reverse: ModelForward['reverse'];
  if (layout.reverse) {
    if (!batch.reverse) throw new Error('A bidirectional model needs the reversed inputs (batch.reverse).');
    reverse = reverseForward(cfg, layout, params, T, B, batch.reverse);
    top = concatForward(N, H, top, reverse.layer.h.subarray(B * H), batch.reverse.map);
  }
  const K = reverse ? 2 * H : H;
  const O = outputsOf(cfg);
  const logits = matmul(
    { ...mm(N, O, K, false, true), bias: true },
    top,
    view(params, layout.headWeight),
    undefined,
    view(params, layout.headBias),
  );
  return {
    x0,
    hs,
    cs,
    acts,
    logits,
    top,
    ...(attention ? { attention } : {}),
    ...(reverse ? { reverse } : {}),
  };
}

/** Forward and backward of one iteration in float64. */
export function forwardBackward(
  cfg: ModelConfig,
  layout: ParamLayout,
  params: ArrayLike<number>,
  batch: Batch,
  initial?: InitialState,
): ForwardBackward {
  const { T, B } = batch;
  const H = cfg.hiddenSize;
  const E = cfg.embedSize;
  const G = gateCount(cfg.cell);
  const N = T * B;
  const L = cfg.layers;
  const segs = segmentsOf(cfg, layout, T, batch.split);
  const fromInit = (b: number): boolean => !initial || !!initial.reset?.[b];
  const { x0, hs, cs, acts, logits, attention, top, reverse } = modelForward(
    cfg,
    layout,
    params,
    batch,
    initial,
  );
  const K = reverse ? 2 * H : H;
  const O = outputsOf(cfg);
  const xent = softmaxXent(N, O, logits, batch.targets, batch.count ?? N);

  // ---- backward
  const grads = new Float64Array(layout.totalSize);
  addInto(grads, layout.headWeight.offset, matmul(mm(O, K, N, true, false), xent.dlogits, top));
  addInto(grads, layout.headBias.offset, colSum(N, O, xent.dlogits));
  let dAbove = matmul(mm(N, K, O, false, false), xent.dlogits, view(params, layout.headWeight)); // (N, K)
  // Per layer, then the reverse direction's (row L, by its own step).
  const dhNorms: Float64Array[] = new Array(L);
  if (reverse) {
    const split = concatBackward(N, H, dAbove, batch.reverse!.map);
    dhNorms[L] = reverseBackward(cfg, layout, params, T, B, batch.reverse!, reverse, split.dbwd, grads);
    dAbove = split.dfwd;
  }
  for (let l = L - 1; l >= 0; l--) {
    const lt = segs[0]!.layers[l]!;
    const I = l === 0 ? E : H;
    const fwd = { h: hs[l]!, c: cs[l]!, act: acts[l]! };
    const dTop = dAbove;
    const afterStep = attention
      ? (t: number, dgxT: Float64Array) => attention.afterStep(t, dgxT, dTop, grads)
      : undefined;
    const back = layerBackward(cfg.cell, T, B, H, dTop, fwd, weightsOf(params, segs, l), afterStep);
    const { dgx, dgh } = back;
    dhNorms[l] = back.dhNorms;
    const layerInput = l === 0 ? x0 : hs[l - 1]!.subarray(B * H);
    const dBelow = new Float64Array(N * I);
    for (const sg of segs) {
      const rows = (sg.end - sg.start) * B;
      const dx = addLayerGrads(
        params,
        grads,
        sg.layers[l]!,
        {
          dgx: rowsOf(dgx, sg, B, G * H),
          dgh: rowsOf(dgh, sg, B, G * H),
          input: rowsOf(layerInput, sg, B, I),
          hPrev: fwd.h.subarray(sg.start * B * H, sg.end * B * H),
          dpeep: colSum(sg.end - sg.start, 3 * H, back.dpeepSteps.subarray(sg.start * 3 * H, sg.end * 3 * H)),
        },
        rows,
        G,
        H,
        I,
      );
      dBelow.set(dx, sg.start * B * I);
    }
    // Gradient on the learned initial state, summed over the sequences that started from it.
    const started = (d: Float64Array) => d.map((v, i) => (fromInit(Math.floor(i / H)) ? v : 0));
    if (lt.h0) addInto(grads, lt.h0.offset, colSum(B, H, started(back.dInitH)));
    if (lt.c0) addInto(grads, lt.c0.offset, colSum(B, H, started(back.dInitC)));
    dAbove = dBelow;
  }
  for (const sg of segs) {
    const tokens = Array.prototype.slice.call(batch.inputs, sg.start * B, sg.end * B) as number[];
    addInto(grads, sg.embedding.offset, embeddingBackward(sg.vocabSize, E, rowsOf(dAbove, sg, B, E), tokens));
  }
  return {
    loss: xent.loss,
    losses: xent.losses,
    logits,
    grads,
    hs,
    cs,
    dhNorms,
    finalH: hs.map((h) => h.slice(T * B * H)),
    finalC: cs.map((c) => c.slice(T * B * H)),
  };
}
