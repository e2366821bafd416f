// A step's metrics as the GPU leaves them in the stats buffer (grad_norm.wgsl's STATS layout), read back
// through the step's metrics slot: loss, global and per-tensor gradient norms, the clip scale, the
// non-finite flag and per-layer ∂L/∂h_t norms over the window.
import { STATS } from '../gpu/kernels/gradNorm';
import type { StepMetrics } from './types';

export function decodeStepMetrics(
  step: number,
  s: Float32Array,
  shape: { tensors: number; layers: number; T: number },
  gpuMs?: Record<string, number>,
): StepMetrics {
  const { tensors, layers, T } = shape;
  const base = STATS.tensorNorms + tensors;
  return {
    step,
    loss: s[STATS.loss]!,
    gradNorm: s[STATS.globalNorm]!,
    clipScale: s[STATS.clipScale]!,
    nonFinite: s[STATS.nonFinite]! !== 0,
    tensorNorms: s.slice(STATS.tensorNorms, base),
    dhNorms: Array.from({ length: layers }, (_, l) => s.slice(base + l * T, base + (l + 1) * T)),
    ...(gpuMs ? { gpuMs } : {}),
  };
}
