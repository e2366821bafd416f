// Float64 reference for shaders/grad_norm.wgsl and shaders/optimizer.wgsl: per-tensor and global gradient
// norms, clipping by global norm (PyTorch's clip_grad_norm_: scale = min(1, C / (‖g‖ + 1e-6))), and the
// SGD-momentum, RMSProp and Adam updates with PyTorch's formulas.
import type { TrainConfig } from '../core/config';
import type { TensorSpec } from '../core/params';

export interface GradNorms {
  /** L2 norm of each tensor, in layout order. */
  perTensor: number[];
  global: number;
  /** Some gradient is NaN or ±∞. */
  nonFinite: boolean;
}

/** Norms of the tensors (views into `grads`), in order. */
export function gradNorms(tensors: readonly TensorSpec[], grads: ArrayLike<number>): GradNorms {
  const perTensor: number[] = [];
  let total = 0;
  for (const t of tensors) {
    let s = 0;
    for (let i = 0; i < t.size; i++) s += (grads[t.offset + i] as number) ** 2;
    perTensor.push(Math.sqrt(s));
    total += s;
  }
  const global = Math.sqrt(total);
  return { perTensor, global, nonFinite: !Number.isFinite(global) };
}

/** Factor applied to every gradient: 1 when clipping is off or the norm is within the threshold. */
export function clipScale(globalNorm: number, clipNorm: number): number {
  return clipNorm > 0 ? Math.min(1, clipNorm / (globalNorm + 1e-6)) : 1;
}

/** Optimiser state: SGD keeps its velocity in m; RMSProp its square average in v; Adam both. */
export interface OptimState {
  m: Float64Array;
  v: Float64Array;
}

/**
 * One update in place. `step` counts from 1 (Adam's bias correction). Gradients are scaled by `scale` (the
 * clip factor) first, then weight decay is added as PyTorch does (g + λ·p).
 */
export function optimizerUpdate(
  cfg: TrainConfig,
  step: number,
  params: Float64Array,
  grads: ArrayLike<number>,
  state: OptimState,
  scale: number,
): void {
  const { learningRate: lr, momentum, beta1, beta2, eps, weightDecay } = cfg;
  const bc1 = 1 - beta1 ** step;
  const bc2 = 1 - beta2 ** step;
  for (let i = 0; i < params.length; i++) {
    const p = params[i] as number;
    const g = (grads[i] as number) * scale + weightDecay * p;
    if (cfg.optimizer === 'sgd') {
      const m = momentum * (state.m[i] as number) + g;
      state.m[i] = m;
      params[i] = p - lr * m;
    } else if (cfg.optimizer === 'rmsprop') {
      const v = beta2 * (state.v[i] as number) + (1 - beta2) * g * g;
      state.v[i] = v;
      params[i] = p - (lr * g) / (Math.sqrt(v) + eps);
    } else {
      const m = beta1 * (state.m[i] as number) + (1 - beta1) * g;
      const v = beta2 * (state.v[i] as number) + (1 - beta2) * g * g;
      state.m[i] = m;
      state.v[i] = v;
      params[i] = p - (lr * (m / bc1)) / (Math.sqrt(v / bc2) + eps);
    }
  }
}
