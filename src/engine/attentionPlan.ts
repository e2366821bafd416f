// The attention part of an encoder–decoder plan (one layer each side): after the encoder's steps one GEMM
// makes the keys; before each decoder step the attention kernel weighs the encoder states and a GEMM adds the
// context's share to that step's input projection; backward mirrors it step by step and finishes with GEMMs
// that send the keys' gradient to the encoder states and collect the attention's weight gradients.
import { matmulSpec as spec } from '../core/matmul';
import type { ParamLayout } from '../core/params';
import { type AttentionCall, type AttentionKernel, attentionOffsets } from '../gpu/kernels/attention';
import type { ColumnSumCall } from '../gpu/kernels/columnSum';
import type { MatmulCall } from '../gpu/kernels/matmul';
import type { CallMakers } from './layerCalls';

export interface AttentionPlan {
  call: AttentionCall;
  /** align (T, B, S) | qa | ctx: the weights of decoder step t are rows t·B … t·B + B − 1, S wide. */
  attn: GPUBuffer;
  split: number;
  keysGemm: MatmulCall;
  /** By decoder step (index t − split). */
  ctxGemm: MatmulCall[];
  dctxGemm: MatmulCall[];
  dqGemm: MatmulCall[];
  /** dabove[encoder rows] += dk · W_k, between the decoder's and the encoder's backward steps. */
  dkGemm: MatmulCall | null;
  weightGrads: MatmulCall[];
  dvSum: ColumnSumCall | null;
}

export interface AttentionPlanArgs {
  kernel: AttentionKernel;
  layout: ParamLayout;
  T: number;
  B: number;
  H: number;
  G: number;
  split: number;
  forwardOnly: boolean;
  bufs: {
    params: GPUBuffer;
    grads: GPUBuffer;
    states: GPUBuffer;
    gx: GPUBuffer;
    dg: GPUBuffer;
    dabove: GPUBuffer;
    steps: GPUBuffer;
  };
  /** The plan's allocators: buffers and calls it destroys with itself. */
  buf(label: string, floats: number): GPUBuffer;
  makers: CallMakers;
  own(b: GPUBuffer): void;
}

export function buildAttentionPlan(a: AttentionPlanArgs): AttentionPlan {
  const { T, B, H, G, split: S, bufs } = a;
  const A = H;
  const at = a.layout.attention!;
  const o = attentionOffsets(T, B, H, A);
  const keys = a.buf('attnKeys', S * B * A);
  const attn = a.buf('attn', o.attnFloats);
  const dattn = a.buf('dattn', a.forwardOnly ? 4 : o.dattnFloats);
  const call = a.kernel.prepare(
    { B, H, S, A, T, offWq: at.query.offset, offV: at.energy.offset },
    { params: bufs.params, states: bufs.states, keys, attn, dattn, dabove: bufs.dabove },
    bufs.steps,
    'Engine.attention',
  );
  a.own(call.uniform);
  const dec = Array.from({ length: T - S }, (_, i) => S + i);
  const plan: AttentionPlan = {
    call,
    attn,
    split: S,
    // keys (S·B, A) = h_enc (slots 1…S) · W_kᵀ
    keysGemm: a.makers.mm(
      spec(S * B, A, H, { transB: true }),
      { a: bufs.states, offA: B * H, b: bufs.params, offB: at.key.offset, c: keys },
      'attnKeys',
    ),
    // gx_t += ctx_t · W_cᵀ
    ctxGemm: dec.map((t) =>
      a.makers.mm(
        spec(B, G * H, H, { transB: true, accumulate: true }),
        {
          a: attn,
          offA: o.ctx + t * B * H,
          b: bufs.params,
          offB: at.context.offset,
          c: bufs.gx,
          offC: t * B * G * H,
        },
        `attnCtx${t}`,
      ),
    ),
    dctxGemm: [],
    dqGemm: [],
    dkGemm: null,
    weightGrads: [],
    dvSum: null,
  };
  if (a.forwardOnly) return plan;
  const Td = T - S;
  // dctx_t = dgx_t · W_c
  plan.dctxGemm = dec.map((t) =>
    a.makers.mm(
      spec(B, H, G * H),
      { a: bufs.dg, offA: t * B * G * H, b: bufs.params, offB: at.context.offset, c: dattn, offC: t * B * H },
      `attnDctx${t}`,
    ),
  );
  // dabove[t − 1] += dq_t · W_q: the query is the state before step t (at t = S, the encoder's last).
  plan.dqGemm = dec.map((t) =>
    a.makers.mm(
      spec(B, H, A, { accumulate: true }),
      {
        a: dattn,
        offA: o.dq + t * B * A,
        b: bufs.params,
        offB: at.query.offset,
        c: bufs.dabove,
        offC: (t - 1) * B * H,
      },
      `attnDq${t}`,
    ),
  );
  plan.dkGemm = a.makers.mm(
    spec(S * B, H, A, { accumulate: true }),
    { a: dattn, offA: o.dk, b: bufs.params, offB: at.key.offset, c: bufs.dabove },
    'attnDk',
  );
  plan.weightGrads = [
    a.makers.mm(
      spec(A, H, Td * B, { transA: true, accumulate: true }),
      {
        a: dattn,
        offA: o.dq + S * B * A,
        b: bufs.states,
        offB: S * B * H,
        c: bufs.grads,
        offC: at.query.offset,
      },
      'dWq',
    ),
    a.makers.mm(
      spec(A, H, S * B, { transA: true, accumulate: true }),
      { a: dattn, offA: o.dk, b: bufs.states, offB: B * H, c: bufs.grads, offC: at.key.offset },
      'dWk',
    ),
    a.makers.mm(
      spec(G * H, H, Td * B, { transA: true, accumulate: true }),
      {
        a: bufs.dg,
        offA: S * B * G * H,
        b: attn,
        offB: o.ctx + S * B * H,
        c: bufs.grads,
        offC: at.context.offset,
      },
      'dWc',
    ),
  ];
  plan.dvSum = a.makers.colsum(Td * B, A, dattn, o.dv + S * B * A, at.energy.offset, 'dv');
  return plan;
}
