// The reverse direction of a bidirectional (one-layer) model in float64: the same cell reading each sequence
// backwards (`batch.reverse.inputs`, prepared by the caller), from zeros, with PyTorch's `*_reverse` tensors.
// reference/concat.ts joins its states to the forward direction's for the head.
import { type ModelConfig, gateCount } from '../core/config';
import { matmulSpec } from '../core/matmul';
import type { ParamLayout, TensorSpec } from '../core/params';
import { embeddingBackward, embeddingGather } from './embedding';
import { matmul } from './matmul';
import { type LayerForward, colSum, layerBackward, layerForward, layerWeights } from './model';

/** What the reverse direction reads: tokens in reversed order, and where each position's state lands. */
export interface ReverseInputs {
  /** (T, B) each sequence's tokens last to first, then its padding */
  inputs: ArrayLike<number>;
  /** (T·B) row of the reverse outputs that position n's head reads (a bijection) */
  map: ArrayLike<number>;
}

const view = (p: ArrayLike<number>, t: TensorSpec): Float64Array =>
  Float64Array.from({ length: t.size }, (_, i) => p[t.offset + i] as number);

function addInto(dst: Float64Array, offset: number, src: ArrayLike<number>): void {
  for (let i = 0; i < src.length; i++) dst[offset + i] = (dst[offset + i] as number) + (src[i] as number);
}

export function reverseForward(
  cfg: ModelConfig,
  layout: ParamLayout,
  params: ArrayLike<number>,
  T: number,
  B: number,
  rev: ReverseInputs,
): { x0: Float64Array; layer: LayerForward } {
  const H = cfg.hiddenSize;
  const E = cfg.embedSize;
  const G = gateCount(cfg.cell);
  const lt = layout.reverse![0]!;
  const x0 = embeddingGather(E, view(params, layout.embedding), rev.inputs);
  const gx = matmul(
    { ...matmulSpec(T * B, G * H, E, { transB: true }), bias: true },
    x0,
    view(params, lt.weightIh),
    undefined,
    view(params, lt.biasIh),
  );
  const zeros = new Float64Array(B * H);
  return { x0, layer: layerForward(cfg.cell, T, B, H, gx, layerWeights(params, lt), zeros, zeros) };
}

/** BPTT of the reverse direction given ∂L/∂h on its own rows; adds every gradient it owns into `grads`. */
export function reverseBackward(
  cfg: ModelConfig,
  layout: ParamLayout,
  params: ArrayLike<number>,
  T: number,
  B: number,
  rev: ReverseInputs,
  fwd: { x0: Float64Array; layer: LayerForward },
  dAbove: Float64Array,
  grads: Float64Array,
): void {
  const H = cfg.hiddenSize;
  const E = cfg.embedSize;
  const G = gateCount(cfg.cell);
  const N = T * B;
  const lt = layout.reverse![0]!;
  const back = layerBackward(cfg.cell, T, B, H, dAbove, fwd.layer, layerWeights(params, lt));
  const mm = (m: number, n: number, k: number, transA: boolean) => matmulSpec(m, n, k, { transA });
  addInto(grads, lt.weightIh.offset, matmul(mm(G * H, E, N, true), back.dgx, fwd.x0));
  addInto(grads, lt.weightHh.offset, matmul(mm(G * H, H, N, true), back.dgh, fwd.layer.h.subarray(0, N * H)));
  addInto(grads, lt.biasIh.offset, colSum(N, G * H, back.dgx));
  addInto(grads, lt.biasHh.offset, colSum(N, G * H, back.dgh));
  if (lt.peephole) addInto(grads, lt.peephole.offset, back.dpeep);
  const dx = matmul(mm(N, E, G * H, false), back.dgx, view(params, lt.weightIh));
  addInto(grads, layout.embedding.offset, embeddingBackward(cfg.vocabSize, E, dx, rev.inputs));
}
