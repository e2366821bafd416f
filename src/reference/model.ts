// Float64 reference of a whole training iteration's forward and backward pass: embedding → L recurrent
// layers → linear head → mean softmax cross-entropy, then BPTT back to every parameter. It composes the
// per-kernel references exactly as the GPU engine composes its kernels, so each intermediate can be compared.
import { type CellType, type ModelConfig, actCount, gateCount, isLstm, outputsOf } from '../core/config';
import type { LayerTensors, ParamLayout, TensorSpec } from '../core/params';
import { matmulSpec } from '../core/matmul';
import { matmul } from './matmul';
import { type CellWeights, cellBackwardStep, cellForwardStep } from './cells';
import { embeddingBackward, embeddingGather } from './embedding';
import { softmaxXent } from './loss';

/** A batch: tokens as (T, B) row-major, index t·B + b; targets are the next characters. */
export interface Batch {
  T: number;
  B: number;
  inputs: ArrayLike<number>;
  targets: ArrayLike<number>;
  /** Rows the loss is averaged over (the labelled positions of a sequence task); default T·B. */
  count?: number;
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
  /** per layer, (T): ‖∂L/∂h_t‖ over the batch */
  dhNorms: Float64Array[];
  /** per layer, (B, H): the state after the last step (carried to the next window) */
  finalH: Float64Array[];
  finalC: Float64Array[];
}

const view = (p: ArrayLike<number>, t: TensorSpec): Float64Array =>
  Float64Array.from({ length: t.size }, (_, i) => p[t.offset + i] as number);

function addInto(dst: Float64Array, offset: number, src: ArrayLike<number>): void {
  for (let i = 0; i < src.length; i++) dst[offset + i] = (dst[offset + i] as number) + (src[i] as number);
}

const mm = (m: number, n: number, k: number, transA: boolean, transB: boolean) =>
  matmulSpec(m, n, k, { transA, transB });

/** Column sums of an (M, N) matrix: bias gradients. */
export function colSum(M: number, N: number, x: ArrayLike<number>): Float64Array {
  const out = new Float64Array(N);
  for (let r = 0; r < M; r++)
    for (let c = 0; c < N; c++) out[c] = (out[c] as number) + (x[r * N + c] as number);
  return out;
}

/** One layer's forward over T steps; states are (T+1, B, H) with slot 0 the initial state. */
export interface LayerForward {
  h: Float64Array;
  c: Float64Array;
  /** (T, B, A·H) */
  act: Float64Array;
}

/** Runs T fused steps of one layer from the input projection gx (T, B, G·H) and initial states h0, c0 (B, H). */
export function layerForward(
  cell: CellType,
  T: number,
  B: number,
  H: number,
  gx: ArrayLike<number>,
  weights: CellWeights,
  h0: ArrayLike<number>,
  c0: ArrayLike<number>,
): LayerForward {
  const G = gateCount(cell);
  const A = actCount(cell);
  const h = new Float64Array((T + 1) * B * H);
  const c = new Float64Array((T + 1) * B * H);
  const act = new Float64Array(T * B * A * H);
  h.set(Array.from(h0), 0);
  if (isLstm(cell)) c.set(Array.from(c0), 0);
  for (let t = 0; t < T; t++) {
    const step = cellForwardStep(
      cell,
      B,
      H,
      Array.prototype.slice.call(gx, t * B * G * H, (t + 1) * B * G * H) as number[],
      weights,
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
  weights: CellWeights,
): LayerBackward {
  const G = gateCount(cell);
  const A = actCount(cell);
  const dgx = new Float64Array(T * B * G * H);
  const dgh = new Float64Array(T * B * G * H);
  const dpeep = new Float64Array(3 * H);
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
    if (dghNext) addInto(dh, 0, matmul(mm(B, H, G * H, false, false), dghNext, weights.whh));
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
      weights.peep,
    );
    dgx.set(back.dgx, t * B * G * H);
    dgh.set(back.dgh, t * B * G * H);
    dhDirect = back.dhDirect;
    dcNext = back.dcPrev;
    dghNext = back.dgh;
    if (weights.peep) addInto(dpeep, 0, colSum(B, 3 * H, back.dpeep));
  }
  const dInitH = matmul(mm(B, H, G * H, false, false), dghNext!, weights.whh);
  addInto(dInitH, 0, dhDirect);
  return { dgx, dgh, dpeep, dhFull, dhNorms, dInitH, dInitC: dcNext };
}

/** The recurrent weights of one layer as float64 views. */
export function layerWeights(params: ArrayLike<number>, lt: LayerTensors): CellWeights {
  return {
    whh: view(params, lt.weightHh),
    bhh: view(params, lt.biasHh),
    ...(lt.peephole ? { peep: view(params, lt.peephole) } : {}),
  };
}

/** The forward pass: per-layer states and activations, and the logits (N, V). */
export interface ModelForward {
  x0: Float64Array;
  hs: Float64Array[];
  cs: Float64Array[];
  acts: Float64Array[];
  logits: Float64Array;
}

/** Forward pass of a window in float64: embedding → L layers (from `initial` or h0/c0) → head. */
export function modelForward(
  cfg: ModelConfig,
  layout: ParamLayout,
  params: ArrayLike<number>,
  batch: Pick<Batch, 'T' | 'B' | 'inputs'>,
  initial?: InitialState,
): ModelForward {
  const { T, B } = batch;
  const H = cfg.hiddenSize;
  const E = cfg.embedSize;
  const G = gateCount(cfg.cell);
  const N = T * B;
  const L = cfg.layers;

  const fromInit = (b: number): boolean => !initial || !!initial.reset?.[b];
  // ---- forward
  const x0 = embeddingGather(E, view(params, layout.embedding), batch.inputs); // (N, E)
  const hs: Float64Array[] = [];
  const cs: Float64Array[] = [];
  const acts: Float64Array[] = [];
  let input = x0;
  for (let l = 0; l < L; l++) {
    const lt = layout.layers[l]!;
    const I = l === 0 ? E : H;
    const wih = view(params, lt.weightIh);
    const weights = layerWeights(params, lt);
    const gx = matmul(
      { ...mm(N, G * H, I, false, true), bias: true },
      input,
      wih,
      undefined,
      view(params, lt.biasIh),
    );
    const h0 = new Float64Array(B * H);
    const c0 = new Float64Array(B * H);
    for (let b = 0; b < B; b++) {
      const carry = !fromInit(b);
      for (let j = 0; j < H; j++) {
        h0[b * H + j] = carry ? initial!.h[l]![b * H + j]! : lt.h0 ? params[lt.h0.offset + j]! : 0;
        c0[b * H + j] = carry ? (initial!.c[l]?.[b * H + j] ?? 0) : lt.c0 ? params[lt.c0.offset + j]! : 0;
      }
    }
    const { h, c, act } = layerForward(cfg.cell, T, B, H, gx, weights, h0, c0);
    hs.push(h);
    cs.push(c);
    acts.push(act);
    input = h.subarray(B * H);
  }
  const top = hs[L - 1]!.subarray(B * H); // (N, H)
  const O = outputsOf(cfg);
  const logits = matmul(
    { ...mm(N, O, H, false, true), bias: true },
    top,
    view(params, layout.headWeight),
    undefined,
    view(params, layout.headBias),
  );
  return { x0, hs, cs, acts, logits };
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
  const V = cfg.vocabSize;
  const G = gateCount(cfg.cell);
  const N = T * B;
  const L = cfg.layers;
  const fromInit = (b: number): boolean => !initial || !!initial.reset?.[b];
  const { x0, hs, cs, acts, logits } = modelForward(cfg, layout, params, batch, initial);
  const top = hs[L - 1]!.subarray(B * H); // (N, H)
  const O = outputsOf(cfg);
  const xent = softmaxXent(N, O, logits, batch.targets, batch.count ?? N);

  // ---- backward
  const grads = new Float64Array(layout.totalSize);
  addInto(grads, layout.headWeight.offset, matmul(mm(O, H, N, true, false), xent.dlogits, top));
  addInto(grads, layout.headBias.offset, colSum(N, O, xent.dlogits));
  let dAbove = matmul(mm(N, H, O, false, false), xent.dlogits, view(params, layout.headWeight)); // (N, H)
  const dhNorms: Float64Array[] = new Array(L);
  for (let l = L - 1; l >= 0; l--) {
    const lt = layout.layers[l]!;
    const I = l === 0 ? E : H;
    const weights = layerWeights(params, lt);
    const fwd = { h: hs[l]!, c: cs[l]!, act: acts[l]! };
    const back = layerBackward(cfg.cell, T, B, H, dAbove, fwd, weights);
    const { dgx, dgh } = back;
    const h = fwd.h;
    dhNorms[l] = back.dhNorms;
    const layerInput = l === 0 ? x0 : hs[l - 1]!.subarray(B * H);
    addInto(grads, lt.weightIh.offset, matmul(mm(G * H, I, N, true, false), dgx, layerInput));
    addInto(grads, lt.weightHh.offset, matmul(mm(G * H, H, N, true, false), dgh, h.subarray(0, N * H)));
    addInto(grads, lt.biasIh.offset, colSum(N, G * H, dgx));
    addInto(grads, lt.biasHh.offset, colSum(N, G * H, dgh));
    if (lt.peephole) addInto(grads, lt.peephole.offset, back.dpeep);
    // Gradient on the learned initial state, summed over the sequences that started from it.
    const started = (d: Float64Array) => d.map((v, i) => (fromInit(Math.floor(i / H)) ? v : 0));
    if (lt.h0) addInto(grads, lt.h0.offset, colSum(B, H, started(back.dInitH)));
    if (lt.c0) addInto(grads, lt.c0.offset, colSum(B, H, started(back.dInitC)));
    dAbove = matmul(mm(N, I, G * H, false, false), dgx, view(params, lt.weightIh));
  }
  addInto(grads, layout.embedding.offset, embeddingBackward(V, E, dAbove, batch.inputs));
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
