// The reverse direction of a bidirectional (one-layer) plan: its own tokens (each sequence backwards), embedding
// gather, input GEMM, fused steps and states; the concat kernel joins its states to the forward direction's
// for the head and splits the head's gradient back. It shares gx, dg and scratch with the forward layer, which
// has finished with them by the time this direction runs (forward and backward alike).
import type { LayerTensors, TensorSpec } from '../core/params';
import type { ColumnSumCall } from '../gpu/kernels/columnSum';
import type { ConcatCall, ConcatKernel } from '../gpu/kernels/concat';
import type { EmbeddingCall, EmbeddingKernel } from '../gpu/kernels/embedding';
import type { MatmulCall } from '../gpu/kernels/matmul';
import { type CellLayer, type RecurrentCellKernel } from '../gpu/kernels/recurrentCell';
import { cellLayerInfo, scratchLayout } from '../gpu/kernels/cellLayout';
import { type CallMakers, inputGemmCall, layerGradCalls } from './layerCalls';

export interface ReversePlan {
  /** (N) u32: each sequence's tokens last to first, then its padding. */
  tokens: GPUBuffer;
  /** (N) u32: the reverse output row the head reads at each position. */
  map: GPUBuffer;
  /** (2, T+1, B, H): the reverse direction's [h; c]. */
  states: GPUBuffer;
  /** (N, 2H): [forward; reverse] per position, the head's input. */
  cat: GPUBuffer;
  /** (N, 2H): the head's gradient on `cat`. */
  dcat: GPUBuffer;
  embedding: EmbeddingCall;
  inputGemm: MatmulCall;
  cell: CellLayer;
  concat: ConcatCall;
  grads: MatmulCall[];
  sums: ColumnSumCall[];
}

export interface ReversePlanArgs {
  kernels: { cell: RecurrentCellKernel; embed: EmbeddingKernel; concat: ConcatKernel };
  lt: LayerTensors;
  embedding: TensorSpec;
  T: number;
  B: number;
  H: number;
  E: number;
  G: number;
  V: number;
  forwardOnly: boolean;
  bufs: {
    params: GPUBuffer;
    grads: GPUBuffer;
    gx: GPUBuffer;
    dg: GPUBuffer;
    scratch: GPUBuffer;
    rows: GPUBuffer;
    steps: GPUBuffer;
    /** The forward direction's states and the gradient it receives from the head. */
    states: GPUBuffer;
    dabove: GPUBuffer;
  };
  sizes: { states: number; act: number; dabove: number };
  buf(label: string, floats: number): GPUBuffer;
  makers: CallMakers;
  own(b: GPUBuffer): void;
}

export function buildReversePlan(a: ReversePlanArgs): ReversePlan {
  const { T, B, H, E, G, lt, bufs } = a;
  const N = T * B;
  const tokens = a.buf('revTokens', N);
  const map = a.buf('revMap', N);
  const x0 = a.buf('revX0', N * E);
  const states = a.buf('revStates', a.sizes.states);
  const act = a.buf('revAct', a.sizes.act);
  const dabove = a.buf('revDabove', a.forwardOnly ? 4 : a.sizes.dabove);
  const cat = a.buf('cat', N * 2 * H);
  const dcat = a.buf('dcat', a.forwardOnly ? 4 : N * 2 * H);
  const embedding = a.kernels.embed.prepare(N, E, a.V, a.embedding.offset, {
    params: bufs.params,
    tokens,
    out: x0,
    dout: dabove,
    grads: bufs.grads,
  });
  a.own(embedding.uniform);
  const cell = a.kernels.cell.prepare(
    cellLayerInfo(T, B, H, G, lt, false),
    {
      params: bufs.params,
      gx: bufs.gx,
      states,
      act,
      dabove,
      dg: bufs.dg,
      scratch: bufs.scratch,
      grads: bufs.grads,
      rows: bufs.rows,
    },
    bufs.steps,
    'Engine.reverse',
  );
  a.own(cell.uniform);
  const concat = a.kernels.concat.prepare(
    N,
    H,
    B * H,
    { fwd: bufs.states, bwd: states, map, cat, dcat, dfwd: bufs.dabove, dbwd: dabove },
    'Engine.concat',
  );
  a.own(concat.uniform);
  const span = { lt, N, r0: 0, rows: N, G, H, I: E, input: x0, inOff: 0, tag: 'Reverse' };
  const layerBufs = {
    ...bufs,
    states,
    dabove,
    dpeepOff: scratchLayout(T, B, H).dpeepOff,
    bases: { states: 0, act: 0, dg: 0, scratch: 0, gx: 0, dabove: 0 },
  };
  const inputGemm = inputGemmCall(a.makers, span, layerBufs);
  const plan: ReversePlan = {
    tokens,
    map,
    states,
    cat,
    dcat,
    embedding,
    inputGemm,
    cell,
    concat,
    grads: [],
    sums: [],
  };
  if (a.forwardOnly) return plan;
  const calls = layerGradCalls(a.makers, span, layerBufs);
  plan.grads = calls.grads;
  plan.sums = calls.sums;
  return plan;
}
