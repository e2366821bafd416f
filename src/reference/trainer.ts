// The CPU reference trainer: the same iteration as the GPU engine (forward, BPTT, norms, clip, update) in
// float64. It is the oracle of the trajectory test and, wrapped by engine/cpuTrainer.ts, the labelled CPU
// fallback for small models when WebGPU is absent.
import type { ModelConfig, TrainConfig } from '../core/config';
import { type ParamLayout, initParams, paramLayout } from '../core/params';
import { type Batch, type ForwardBackward, forwardBackward } from './model';
import { type GradNorms, type OptimState, clipScale, gradNorms, optimizerUpdate } from './optim';

export interface ReferenceStep {
  fb: ForwardBackward;
  norms: GradNorms;
  scale: number;
}

export class ReferenceTrainer {
  readonly layout: ParamLayout;
  params: Float64Array;
  state: OptimState;
  steps = 0;
  /** The state the next step carries (per layer (B, H)); null: the next step starts from h0/c0 or zeros. */
  carried: { h: Float64Array[]; c: Float64Array[] } | null = null;

  constructor(
    readonly model: ModelConfig,
    public train: TrainConfig,
    params?: ArrayLike<number>,
  ) {
    this.layout = paramLayout(model);
    this.params = Float64Array.from(params ?? initParams(model, this.layout, train.seed));
    this.state = { m: new Float64Array(this.layout.totalSize), v: new Float64Array(this.layout.totalSize) };
  }

  /**
   * One iteration; the update is skipped when the gradient is not finite, as on the GPU. With carryState
   * the window starts from the previous window's final state unless `startsEpoch` (or nothing is carried).
   */
  step(batch: Batch & { startsEpoch?: boolean }): ReferenceStep {
    this.steps++;
    const carry = this.train.carryState && !batch.startsEpoch ? this.carried : null;
    const fb = forwardBackward(this.model, this.layout, this.params, batch, carry ?? undefined);
    this.carried = { h: fb.finalH, c: fb.finalC };
    const norms = gradNorms(this.layout.tensors, fb.grads);
    const scale = clipScale(norms.global, this.train.clipNorm);
    if (!norms.nonFinite) optimizerUpdate(this.train, this.steps, this.params, fb.grads, this.state, scale);
    return { fb, norms, scale };
  }

  /** Switching optimiser type resets its state, as the GPU engine does; a new shape resets the carry. */
  setConfig(patch: Partial<TrainConfig>): void {
    if (
      (patch.seqLen !== undefined && patch.seqLen !== this.train.seqLen) ||
      (patch.batchSize !== undefined && patch.batchSize !== this.train.batchSize)
    )
      this.carried = null;
    if (patch.optimizer && patch.optimizer !== this.train.optimizer) {
      this.state = { m: new Float64Array(this.layout.totalSize), v: new Float64Array(this.layout.totalSize) };
    }
    this.train = { ...this.train, ...patch };
  }
}
