// The reverse direction of a bidirectional (one-layer) plan: its own tokens (each sequence backwards), embedding
// gather, input GEMM, fused steps and states; the concat kernel joins its states to the forward direction's
// for the head and splits the head's gradient back. It shares gx, dg and scratch with the forward layer, which
// has finished with them by the time this direction runs (forward and backward alike).
import { type MatmulSpec, matmulSpec as spec } from '../core/matmul';
import type { LayerTensors, TensorSpec } from '../core/params';
import type { ColumnSumCall } from '../gpu/kernels/columnSum';
import type { ConcatCall, ConcatKernel } from '../gpu/kernels/concat';
import type { EmbeddingCall, EmbeddingKernel } from '../gpu/kernels/embedding';
import type { MatmulBuffers, MatmulCall } from '../gpu/kernels/matmul';
import type { CellLayer, RecurrentCellKernel } from '../gpu/kernels/recurrentCell';

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
  /** Cell offsets shared with the forward layer's call (scratch layout). */
  dhFullOff: number;
  dpeepOff: number;
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
  mm(sp: MatmulSpec, b: MatmulBuffers, label: string): MatmulCall;
  colsum(rows: number, C: number, x: GPUBuffer, inOff: number, outOff: number, label: string): ColumnSumCall;
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
    {
      B,
      H,
      T,
      offWhh: lt.weightHh.offset,
      offBhh: lt.biasHh.offset,
      offPeep: lt.peephole?.offset ?? 0,
      offH0: 0,
      offC0: 0,
      cOff: (T + 1) * B * H,
      dghOff: N * G * H,
      carryCOff: B * H,
      dhFullOff: a.dhFullOff,
      dpeepOff: a.dpeepOff,
      learnedInit: false,
    },
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
  const inputGemm = a.mm(
    spec(N, G * H, E, { transB: true, bias: true }),
    {
      a: x0,
      b: bufs.params,
      offB: lt.weightIh.offset,
      c: bufs.gx,
      bias: bufs.params,
      offBias: lt.biasIh.offset,
    },
    'revInputGemm',
  );
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
  plan.grads = [
    a.mm(
      spec(G * H, E, N, { transA: true, accumulate: true }),
      { a: bufs.dg, b: x0, c: bufs.grads, offC: lt.weightIh.offset },
      'revdWih',
    ),
    a.mm(
      spec(G * H, H, N, { transA: true, accumulate: true }),
      { a: bufs.dg, offA: N * G * H, b: states, c: bufs.grads, offC: lt.weightHh.offset },
      'revdWhh',
    ),
    a.mm(spec(N, E, G * H), { a: bufs.dg, b: bufs.params, offB: lt.weightIh.offset, c: dabove }, 'revdx'),
  ];
  plan.sums = [
    a.colsum(N, G * H, bufs.dg, 0, lt.biasIh.offset, 'revdbih'),
    a.colsum(N, G * H, bufs.dg, N * G * H, lt.biasHh.offset, 'revdbhh'),
  ];
  if (lt.peephole)
    plan.sums.push(a.colsum(N, 3 * H, bufs.scratch, a.dpeepOff, lt.peephole.offset, 'revdpeep'));
  return plan;
}
