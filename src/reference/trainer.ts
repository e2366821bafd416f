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

  constructor(
    readonly model: ModelConfig,
    public train: TrainConfig,
    params?: ArrayLike<number>,
  ) {
    this.layout = paramLayout(model);
    this.params = Float64Array.from(params ?? initParams(model, this.layout, train.seed));
    this.state = { m: new Float64Array(this.layout.totalSize), v: new Float64Array(this.layout.totalSize) };
  }

  /** One iteration; the update is skipped when the gradient is not finite, as on the GPU. */
  step(batch: Batch): ReferenceStep {
    this.steps++;
    const fb = forwardBackward(this.model, this.layout, this.params, batch);
    const norms = gradNorms(this.layout.tensors, fb.grads);
    const scale = clipScale(norms.global, this.train.clipNorm);
    if (!norms.nonFinite) optimizerUpdate(this.train, this.steps, this.params, fb.grads, this.state, scale);
    return { fb, norms, scale };
  }

  /** Switching optimiser type resets its state, as the GPU engine does. */
  setConfig(patch: Partial<TrainConfig>): void {
    if (patch.optimizer && patch.optimizer !== this.train.optimizer) {
      this.state = { m: new Float64Array(this.layout.totalSize), v: new Float64Array(this.layout.totalSize) };
    }
    this.train = { ...this.train, ...patch };
  }
}
