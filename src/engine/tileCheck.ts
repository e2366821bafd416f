// Whether a tile candidate computes on this device what the default tiles compute (engine/tuner.ts). Every
// candidate is a registry case checked against the float64 reference, but only on the adapters the tests run
// on (SwiftShader: 4-lane subgroups, another compiler, its own scheduling of workgroups). A user's GPU differs
// — 32- or 64-lane subgroups, truly concurrent workgroups, its own driver — and the tuner ranks by speed alone:
// a candidate that skipped work there would be chosen *because* it is fast, and every run of that shape would
// train on wrong gradients without a word. So the tuner reads back a sample of each candidate's outputs from
// its first (untimed) round, on buffers cleared before it, and leaves out any tile whose outputs differ from
// the default tile's by more than float rounding.
import { type CellType, actCount, gateCount } from '../core/config';
import type { Region } from '../gpu/buffers';
import type { CellLayerInfo } from '../gpu/kernels/cellLayout';

/** The buffers a layer's steps write (the tuner's LayerBench's). */
export interface LayerOutputs {
  states: GPUBuffer;
  act: GPUBuffer;
  dg: GPUBuffer;
  scratch: GPUBuffer;
}

/**
 * Largest difference a candidate may show against the default, relative to the largest magnitude of the
 * region compared. Summation order (K split, chunk size, subgroup lanes) moves fp32 results by ~1e-6 of the
 * scale over a 64-step window; a skipped step, a lost partial sum or a race moves them by far more.
 */
export const TILE_TOLERANCE = 1e-3;

/**
 * Steps sampled: the first, the middle and the last. A wrong forward step reaches every later state (so the
 * last), a wrong backward step every earlier gradient (so the first); the middle catches a step that is wrong
 * in its own outputs only.
 */
export function sampleSteps(T: number): number[] {
  return [...new Set([0, T >> 1, T - 1])];
}

/** What the forward writes at the sampled steps: h_t and c_t (slot t + 1) and the gate activations. */
export function forwardRegions(cell: CellType, info: CellLayerInfo, out: LayerOutputs): Region[] {
  const { B, H, T } = info;
  const A = actCount(cell);
  return sampleSteps(T).flatMap((t) => [
    { buf: out.states, offset: (t + 1) * B * H * 4, floats: B * H },
    { buf: out.states, offset: (info.cOff + (t + 1) * B * H) * 4, floats: B * H },
    { buf: out.act, offset: t * B * A * H * 4, floats: B * A * H },
  ]);
}

/**
 * What the backward writes: the gradient it carries out of step 0 (towards h0, c0), and at the sampled
 * steps the gate gradients (dgx, dgh: every weight gradient is a GEMM of them) and the total dh.
 */
export function backwardRegions(cell: CellType, info: CellLayerInfo, out: LayerOutputs): Region[] {
  const { B, H, T } = info;
  const GH = gateCount(cell) * H;
  return [
    { buf: out.scratch, offset: 0, floats: 2 * B * H },
    ...sampleSteps(T).flatMap((t) => [
      { buf: out.dg, offset: t * B * GH * 4, floats: B * GH },
      { buf: out.dg, offset: (info.dghOff + t * B * GH) * 4, floats: B * GH },
      { buf: out.scratch, offset: (info.dhFullOff + t * B * H) * 4, floats: B * H },
    ]),
  ];
}

/**
 * The largest |got − want| of any region over that region's largest |want| (a region of zeros compares
 * absolutely); Infinity where `got` holds a NaN or an infinity that `want` does not.
 */
export function disagreement(want: readonly Float32Array[], got: readonly Float32Array[]): number {
  let worst = 0;
  want.forEach((w, i) => {
    const g = got[i]!;
    let scale = 0;
    let diff = 0;
    for (let k = 0; k < w.length; k++) {
      scale = Math.max(scale, Math.abs(w[k]!));
      const d = Math.abs(g[k]! - w[k]!);
      diff = Number.isFinite(d) ? Math.max(diff, d) : Infinity;
    }
    worst = Math.max(worst, scale > 0 ? diff / scale : diff);
  });
  return worst;
}
