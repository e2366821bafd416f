// Float64 reference of a whole training iteration's forward and backward pass: embedding → L recurrent
// layers → linear head → mean softmax cross-entropy, then BPTT back to every parameter. It composes the
// per-kernel references exactly as the GPU engine composes its kernels, so each intermediate can be compared.
import { type ModelConfig, gateCount, isLstm } from '../core/config';
import type { ParamLayout, TensorSpec } from '../core/params';
import { matmul } from './matmul';
import { actCount, cellBackwardStep, cellForwardStep } from './cells';
import { embeddingBackward, embeddingGather } from './embedding';
import { softmaxXent } from './loss';

/** A batch: tokens as (T, B) row-major, index t·B + b; targets are the next characters. */
export interface Batch {
  T: number;
  B: number;
  inputs: ArrayLike<number>;
  targets: ArrayLike<number>;
}

/** Per-layer initial state (B, H) each, e.g. carried from the previous window; overrides h0/c0. */
export interface InitialState {
  h: ArrayLike<number>[];
  c: ArrayLike<number>[];
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

const mm = (m: number, n: number, k: number, transA: boolean, transB: boolean) => ({
  m,
  n,
  k,
  transA,
  transB,
  accumulate: false,
  bias: false,
});

/** Column sums of an (M, N) matrix: bias gradients. */
function colSum(M: number, N: number, x: ArrayLike<number>): Float64Array {
  const out = new Float64Array(N);
  for (let r = 0; r < M; r++) for (let c = 0; c < N; c++) out[c] = (out[c] as number) + (x[r * N + c] as number);
  return out;
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
  const A = actCount(cfg.cell);
  const N = T * B;
  const L = cfg.layers;

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
    const weights = {
      whh: view(params, lt.weightHh),
      bhh: view(params, lt.biasHh),
      ...(lt.peephole ? { peep: view(params, lt.peephole) } : {}),
    };
    const gx = matmul({ ...mm(N, G * H, I, false, true), bias: true }, input, wih, undefined, view(params, lt.biasIh));
    const h = new Float64Array((T + 1) * B * H);
    const c = new Float64Array((T + 1) * B * H);
    const act = new Float64Array(T * B * A * H);
    for (let b = 0; b < B; b++) {
      for (let j = 0; j < H; j++) {
        const h0 = initial ? initial.h[l]![b * H + j]! : lt.h0 ? params[lt.h0.offset + j]! : 0;
        const c0 = initial ? (initial.c[l]?.[b * H + j] ?? 0) : lt.c0 ? params[lt.c0.offset + j]! : 0;
        h[b * H + j] = h0;
        if (isLstm(cfg.cell)) c[b * H + j] = c0;
      }
    }
    for (let t = 0; t < T; t++) {
      const step = cellForwardStep(
        cfg.cell,
        B,
        H,
        gx.subarray(t * B * G * H, (t + 1) * B * G * H),
        weights,
        h.subarray(t * B * H, (t + 1) * B * H),
        c.subarray(t * B * H, (t + 1) * B * H),
      );
      h.set(step.h, (t + 1) * B * H);
      c.set(step.c, (t + 1) * B * H);
      act.set(step.act, t * B * A * H);
    }
    hs.push(h);
    cs.push(c);
    acts.push(act);
    input = h.subarray(B * H);
  }
  const top = hs[L - 1]!.subarray(B * H); // (N, H)
  const logits = matmul({ ...mm(N, V, H, false, true), bias: true }, top, view(params, layout.headWeight), undefined, view(params, layout.headBias));
  const xent = softmaxXent(N, V, logits, batch.targets);

  // ---- backward
  const grads = new Float64Array(layout.totalSize);
  addInto(grads, layout.headWeight.offset, matmul(mm(V, H, N, true, false), xent.dlogits, top));
  addInto(grads, layout.headBias.offset, colSum(N, V, xent.dlogits));
  let dAbove = matmul(mm(N, H, V, false, false), xent.dlogits, view(params, layout.headWeight)); // (N, H)
  const dhNorms: Float64Array[] = new Array(L);
  for (let l = L - 1; l >= 0; l--) {
    const lt = layout.layers[l]!;
    const I = l === 0 ? E : H;
    const whh = view(params, lt.weightHh);
    const peep = lt.peephole ? view(params, lt.peephole) : undefined;
    const h = hs[l]!;
    const c = cs[l]!;
    const dgx = new Float64Array(N * G * H);
    const dgh = new Float64Array(N * G * H);
    const dpeep = new Float64Array(3 * H);
    let dhDirect = new Float64Array(B * H);
    let dcNext = new Float64Array(B * H);
    let dghNext: Float64Array | null = null;
    const norms = new Float64Array(T);
    for (let t = T - 1; t >= 0; t--) {
      // Total gradient on h_t: from above, elementwise from t+1, and through W_hh from t+1.
      const dh = new Float64Array(B * H);
      for (let i = 0; i < B * H; i++) dh[i] = (dAbove[t * B * H + i] as number) + (dhDirect[i] as number);
      if (dghNext) addInto(dh, 0, matmul(mm(B, H, G * H, false, false), dghNext, whh));
      norms[t] = Math.sqrt(dh.reduce((s, v) => s + v * v, 0));
      const sl = (x: Float64Array, k: number, w: number) => x.subarray(k * B * w, (k + 1) * B * w);
      const back = cellBackwardStep(
        cfg.cell,
        B,
        H,
        dh,
        dcNext,
        sl(acts[l]!, t, A * H),
        sl(h, t, H),
        sl(c, t, H),
        sl(c, t + 1, H),
        peep,
      );
      dgx.set(back.dgx, t * B * G * H);
      dgh.set(back.dgh, t * B * G * H);
      dhDirect = back.dhDirect;
      dcNext = back.dcPrev;
      dghNext = back.dgh;
      if (peep) addInto(dpeep, 0, colSum(B, 3 * H, back.dpeep));
    }
    dhNorms[l] = norms;
    const layerInput = l === 0 ? x0 : hs[l - 1]!.subarray(B * H);
    addInto(grads, lt.weightIh.offset, matmul(mm(G * H, I, N, true, false), dgx, layerInput));
    addInto(grads, lt.weightHh.offset, matmul(mm(G * H, H, N, true, false), dgh, h.subarray(0, N * H)));
    addInto(grads, lt.biasIh.offset, colSum(N, G * H, dgx));
    addInto(grads, lt.biasHh.offset, colSum(N, G * H, dgh));
    if (lt.peephole) addInto(grads, lt.peephole.offset, dpeep);
    if (!initial && (lt.h0 || lt.c0)) {
      // Gradient on the initial state, summed over the batch that shares it.
      const dInit = matmul(mm(B, H, G * H, false, false), dghNext!, whh);
      addInto(dInit, 0, dhDirect);
      if (lt.h0) addInto(grads, lt.h0.offset, colSum(B, H, dInit));
      if (lt.c0) addInto(grads, lt.c0.offset, colSum(B, H, dcNext));
    }
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
