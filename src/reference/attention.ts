// Float64 reference for shaders/attention.wgsl: additive (Bahdanau) attention of one decoder step over the S
// encoder states of each sequence, forward and backward side by side.
//   e_i = v · tanh(W_q q + k_i),  k_i = W_k h_i (hoisted: one GEMM over all encoder steps),
//   a = softmax(e),  ctx = Σ_i a_i h_i.
// q is the decoder's state before the step (B, H); keys (S, B, A); encoder states (S, B, H), t-major.
import { matmulSpec } from '../core/matmul';
import type { ParamLayout } from '../core/params';
import { matmul } from './matmul';
import { addInto, colSum, view } from './tensors';

export interface AttentionStep {
  /** (B, A) W_q q */
  qa: Float64Array;
  /** (B, S) attention weights */
  a: Float64Array;
  /** (B, H) context */
  ctx: Float64Array;
}

/** One decoder step's attention for every sequence. `wq` (A, H), `v` (A). */
export function attentionForward(
  B: number,
  S: number,
  H: number,
  A: number,
  q: ArrayLike<number>,
  keys: ArrayLike<number>,
  enc: ArrayLike<number>,
  wq: ArrayLike<number>,
  v: ArrayLike<number>,
): AttentionStep {
  const qa = new Float64Array(B * A);
  const a = new Float64Array(B * S);
  const ctx = new Float64Array(B * H);
  for (let b = 0; b < B; b++) {
    for (let r = 0; r < A; r++) {
      let s = 0;
      for (let k = 0; k < H; k++) s += (wq[r * H + k] as number) * (q[b * H + k] as number);
      qa[b * A + r] = s;
    }
    const e = new Float64Array(S);
    for (let i = 0; i < S; i++) {
      let s = 0;
      for (let r = 0; r < A; r++)
        s += (v[r] as number) * Math.tanh(qa[b * A + r]! + (keys[(i * B + b) * A + r] as number));
      e[i] = s;
    }
    const m = Math.max(...e);
    let z = 0;
    for (let i = 0; i < S; i++) z += Math.exp(e[i]! - m);
    for (let i = 0; i < S; i++) a[b * S + i] = Math.exp(e[i]! - m) / z;
    for (let k = 0; k < H; k++) {
      let s = 0;
      for (let i = 0; i < S; i++) s += a[b * S + i]! * (enc[(i * B + b) * H + k] as number);
      ctx[b * H + k] = s;
    }
  }
  return { qa, a, ctx };
}

export interface AttentionStepGrads {
  /** (B, A) ∂L/∂(W_q q): W_q's gradient is dqaᵀ q, the query's dqa · W_q */
  dqa: Float64Array;
  /** (S, B, A) ∂L/∂k_i: W_k's gradient is dkᵀ h, the encoder states' dk · W_k */
  dkeys: Float64Array;
  /** (S, B, H) the direct part a_i · dctx of ∂L/∂h_i */
  denc: Float64Array;
  /** (B, A) ∂L/∂v per sequence */
  dv: Float64Array;
}

/** Backward of attentionForward given ∂L/∂ctx (B, H). */
export function attentionBackward(
  B: number,
  S: number,
  H: number,
  A: number,
  fwd: AttentionStep,
  dctx: ArrayLike<number>,
  keys: ArrayLike<number>,
  enc: ArrayLike<number>,
  v: ArrayLike<number>,
): AttentionStepGrads {
  const dqa = new Float64Array(B * A);
  const dkeys = new Float64Array(S * B * A);
  const denc = new Float64Array(S * B * H);
  const dv = new Float64Array(B * A);
  for (let b = 0; b < B; b++) {
    const da = new Float64Array(S);
    for (let i = 0; i < S; i++) {
      let s = 0;
      for (let k = 0; k < H; k++) s += (dctx[b * H + k] as number) * (enc[(i * B + b) * H + k] as number);
      da[i] = s;
      for (let k = 0; k < H; k++) denc[(i * B + b) * H + k] = fwd.a[b * S + i]! * (dctx[b * H + k] as number);
    }
    let dot = 0;
    for (let i = 0; i < S; i++) dot += fwd.a[b * S + i]! * da[i]!;
    for (let i = 0; i < S; i++) {
      const de = fwd.a[b * S + i]! * (da[i]! - dot);
      for (let r = 0; r < A; r++) {
        const u = Math.tanh(fwd.qa[b * A + r]! + (keys[(i * B + b) * A + r] as number));
        const dpre = de * (v[r] as number) * (1 - u * u);
        dqa[b * A + r] = dqa[b * A + r]! + dpre;
        dkeys[(i * B + b) * A + r] = dpre;
        dv[b * A + r] = dv[b * A + r]! + de * u;
      }
    }
  }
  return { dqa, dkeys, denc, dv };
}

/** The attention of a one-layer encoder–decoder window, wired into the reference layer's steps. */
export interface AttentionRun {
  /** (S, B, A) keys W_k h_i, set when the decoder's first step runs. */
  keys: Float64Array;
  /** Per decoder step (t − split): weights, context, W_q q. */
  steps: AttentionStep[];
  /** layerForward's hook: the context's share of step t's input projection, W_c ctx_t (B, G·H). */
  inject(t: number, h: Float64Array): Float64Array | null;
  /**
   * layerBackward's hook for step t: sends ∂L/∂ctx back through the attention into dAbove's rows (the encoder
   * states and the query, the state before step t) and accumulates the attention's weight gradients.
   */
  afterStep(t: number, dgx: Float64Array, dAbove: Float64Array, grads: Float64Array): void;
}

export function attentionRun(
  B: number,
  H: number,
  G: number,
  split: number,
  params: ArrayLike<number>,
  t: NonNullable<ParamLayout['attention']>,
): AttentionRun {
  const A = H;
  const S = split;
  const wq = view(params, t.query);
  const wk = view(params, t.key);
  const v = view(params, t.energy);
  const wc = view(params, t.context);
  // (m, n) = x · Wᵀ for W (n, k); with `plain`, x · W for W (k, n).
  const mul = (m: number, n: number, k: number, x: ArrayLike<number>, w: ArrayLike<number>, plain = false) =>
    matmul(matmulSpec(m, n, k, { transB: !plain }), x, w);
  // grads[W (n, k)] += dyᵀ · x over m rows.
  const grad = (
    g: Float64Array,
    off: number,
    m: number,
    n: number,
    k: number,
    dy: ArrayLike<number>,
    x: ArrayLike<number>,
  ) => addInto(g, off, matmul(matmulSpec(n, k, m, { transA: true }), dy, x));
  let enc: Float64Array<ArrayBufferLike> = new Float64Array(0);
  let hs: Float64Array<ArrayBufferLike> = new Float64Array(0);
  const run: AttentionRun = {
    keys: new Float64Array(0),
    steps: [],
    inject(step, h) {
      if (step < split) return null;
      if (step === split) {
        hs = h;
        enc = h.slice(B * H, (S + 1) * B * H); // slots 1…S: the encoder's outputs
        run.keys = mul(S * B, A, H, enc, wk);
      }
      const q = h.subarray(step * B * H, (step + 1) * B * H);
      const f = attentionForward(B, S, H, A, q, run.keys, enc, wq, v);
      run.steps.push(f);
      return mul(B, G * H, H, f.ctx, wc);
    },
    afterStep(step, dgx, dAbove, grads) {
      if (step < split) return;
      const f = run.steps[step - split]!;
      const dctx = mul(B, H, G * H, dgx, wc, true);
      const g = attentionBackward(B, S, H, A, f, dctx, run.keys, enc, v);
      addInto(dAbove, 0, g.denc);
      addInto(dAbove, 0, mul(S * B, H, A, g.dkeys, wk, true));
      addInto(dAbove, (step - 1) * B * H, mul(B, H, A, g.dqa, wq, true));
      grad(grads, t.query.offset, B, A, H, g.dqa, hs.subarray(step * B * H, (step + 1) * B * H));
      grad(grads, t.key.offset, S * B, A, H, g.dkeys, enc);
      grad(grads, t.context.offset, B, G * H, H, dgx, f.ctx);
      addInto(grads, t.energy.offset, colSum(B, A, g.dv));
    },
  };
  return run;
}
