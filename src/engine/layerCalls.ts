// The calls one recurrent layer needs over a span of a window's rows (a stack's segment, or the whole window
// for the reverse direction): its input projection, and after the backward steps its weight gradients, bias
// and peephole column sums, and the gradient it hands to its input (dgx · W_ih, overwriting `dabove`).
import { type MatmulSpec, matmulSpec as spec } from '../core/matmul';
import type { LayerTensors } from '../core/params';
import type { ColumnSumCall } from '../gpu/kernels/columnSum';
import type { MatmulBuffers, MatmulCall } from '../gpu/kernels/matmul';
import type { LayerBases } from '../gpu/kernels/cellLayout';

/** The plan's allocators: calls whose uniforms it destroys with itself. */
export interface CallMakers {
  mm(sp: MatmulSpec, b: MatmulBuffers, label: string): MatmulCall;
  colsum(rows: number, C: number, x: GPUBuffer, inOff: number, outOff: number, label: string): ColumnSumCall;
}

/** Rows [r0, r0 + rows) of every (T·B, ·) matrix; the layer's input (I wide) starts at element `inOff`. */
export interface LayerSpan {
  lt: LayerTensors;
  /** All rows of the window (T·B): dgh follows dgx in `dg` after N rows. */
  N: number;
  r0: number;
  rows: number;
  G: number;
  H: number;
  I: number;
  input: GPUBuffer;
  inOff: number;
  /** Label suffix. */
  tag: string;
}

/** Layer l's span over steps [start, end) of segment si (of `segments` stacks) in a window of T steps. */
export function layerSpan(
  d: { T: number; B: number; E: number; H: number; G: number; segments: number },
  lt: LayerTensors,
  input: { buf: GPUBuffer; off: number },
  l: number,
  si: number,
  start: number,
  end: number,
): LayerSpan {
  const { B, H } = d;
  return {
    lt,
    N: d.T * B,
    r0: start * B,
    rows: (end - start) * B,
    G: d.G,
    H,
    I: l === 0 ? d.E : H,
    input: input.buf,
    inOff: input.off,
    tag: d.segments > 1 ? `${l}s${si}` : `${l}`,
  };
}

export interface LayerBuffers {
  params: GPUBuffer;
  grads: GPUBuffer;
  gx: GPUBuffer;
  dg: GPUBuffer;
  scratch: GPUBuffer;
  /** The layer's states (2, T+1, B, H) from element bases.states: h_{t−1} rows for dW_hh. */
  states: GPUBuffer;
  dabove: GPUBuffer;
  dpeepOff: number;
  /** Where the layer's region starts in each buffer that holds every layer's (CellLayerInfo.bases). */
  bases: LayerBases;
}

/** gx (rows, G·H) = input · W_ihᵀ + b_ih. */
export function inputGemmCall(c: CallMakers, s: LayerSpan, b: LayerBuffers): MatmulCall {
  const { lt, r0, rows, G, H, I } = s;
  return c.mm(
    spec(rows, G * H, I, { transB: true, bias: true }),
    {
      a: s.input,
      offA: s.inOff + r0 * I,
      b: b.params,
      offB: lt.weightIh.offset,
      c: b.gx,
      offC: b.bases.gx + r0 * G * H,
      bias: b.params,
      offBias: lt.biasIh.offset,
    },
    `inputGemm${s.tag}`,
  );
}

/**
 * dW_ih, dW_hh and (with `dx`) dx (GEMMs), then db_ih, db_hh and the peepholes (column sums), over the
 * span's rows.
 */
export function layerGradCalls(
  c: CallMakers,
  s: LayerSpan,
  b: LayerBuffers,
  dx = true,
): { grads: MatmulCall[]; sums: ColumnSumCall[] } {
  const { lt, N, r0, rows, G, H, I, tag } = s;
  const dgx = b.bases.dg + r0 * G * H;
  const dgh = b.bases.dg + (N + r0) * G * H;
  const grads = [
    c.mm(
      spec(G * H, I, rows, { transA: true, accumulate: true }),
      { a: b.dg, offA: dgx, b: s.input, offB: s.inOff + r0 * I, c: b.grads, offC: lt.weightIh.offset },
      `dWih${tag}`,
    ),
    c.mm(
      spec(G * H, H, rows, { transA: true, accumulate: true }),
      {
        a: b.dg,
        offA: dgh,
        b: b.states,
        offB: b.bases.states + r0 * H,
        c: b.grads,
        offC: lt.weightHh.offset,
      },
      `dWhh${tag}`,
    ),
  ];
  // dabove for the layer below (or the embedding): dgx · W_ih, overwriting what this layer consumed.
  if (dx)
    grads.push(
      c.mm(
        spec(rows, I, G * H),
        { a: b.dg, offA: dgx, b: b.params, offB: lt.weightIh.offset, c: b.dabove, offC: r0 * I },
        `dx${tag}`,
      ),
    );
  const sums = [
    c.colsum(rows, G * H, b.dg, dgx, lt.biasIh.offset, `dbih${tag}`),
    c.colsum(rows, G * H, b.dg, dgh, lt.biasHh.offset, `dbhh${tag}`),
  ];
  if (lt.peephole) {
    const at = b.bases.scratch + b.dpeepOff + r0 * 3 * H;
    sums.push(c.colsum(rows, 3 * H, b.scratch, at, lt.peephole.offset, `dpeep${tag}`));
  }
  return { grads, sums };
}
