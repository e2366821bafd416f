// The reverse direction of a bidirectional (one-layer) model in float64: the same cell reading each sequence
// backwards (`batch.reverse.inputs`, prepared by the caller), from zeros, with PyTorch's `*_reverse` tensors.
// reference/concat.ts joins its states to the forward direction's for the head.
import { type ModelConfig, gateCount } from '../core/config';
import type { ParamLayout } from '../core/params';
import { embeddingBackward, embeddingGather } from './embedding';
import {
  type LayerForward,
  addLayerGrads,
  layerBackward,
  layerForward,
  layerWeights,
  projectInput,
} from './model';
import { addInto, view } from './tensors';

/** What the reverse direction reads: tokens in reversed order, and where each position's state lands. */
export interface ReverseInputs {
  /** (T, B) each sequence's tokens last to first, then its padding */
  inputs: ArrayLike<number>;
  /** (T·B) row of the reverse outputs that position n's head reads (a bijection) */
  map: ArrayLike<number>;
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
  const gx = projectInput(params, lt, x0, T * B, G, H, E);
  const zeros = new Float64Array(B * H);
  return { x0, layer: layerForward(cfg.cell, T, B, H, gx, layerWeights(params, lt), zeros, zeros) };
}

/**
 * BPTT of the reverse direction given ∂L/∂h on its own rows; adds every gradient it owns into `grads` and
 * returns ‖∂L/∂h‖ at each of its steps (its own order: step 0 read each sequence's last character).
 */
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
): Float64Array {
  const H = cfg.hiddenSize;
  const E = cfg.embedSize;
  const G = gateCount(cfg.cell);
  const N = T * B;
  const lt = layout.reverse![0]!;
  const back = layerBackward(cfg.cell, T, B, H, dAbove, fwd.layer, layerWeights(params, lt));
  const dx = addLayerGrads(
    params,
    grads,
    lt,
    { dgx: back.dgx, dgh: back.dgh, input: fwd.x0, hPrev: fwd.layer.h.subarray(0, N * H), dpeep: back.dpeep },
    N,
    G,
    H,
    E,
  );
  addInto(grads, layout.embedding.offset, embeddingBackward(cfg.vocabSize, E, dx, rev.inputs));
  return back.dhNorms;
}
