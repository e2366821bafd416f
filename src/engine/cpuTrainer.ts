// CpuTrainer: the labelled CPU fallback for small models where WebGPU is absent — the float64 reference
// trainer behind the same Trainer interface and events as the GPU Engine. It is slow by design (plain loops)
// and must always be shown to users as "CPU".
import { Emitter } from '../core/emitter';
import { type ModelConfig, type TrainConfig, validateModel, validateTrain } from '../core/config';
import type { ParamLayout } from '../core/params';
import { ReferenceTrainer } from '../reference/trainer';
import { CpuInference } from './cpuInference';
import type { CarriedState, EngineEvents, StepMetrics, TokenBatch, Trainer, TrainingCapture } from './types';

/** Largest model the CPU fallback accepts (parameters), so a page never freezes for minutes per step. */
export const CPU_MAX_PARAMS = 200_000;

export class CpuTrainer implements Trainer {
  readonly kind = 'cpu';
  readonly events = new Emitter<EngineEvents>();
  private readonly ref: ReferenceTrainer;
  private queue: Promise<void> = Promise.resolve();

  constructor(
    readonly model: ModelConfig,
    train: TrainConfig,
  ) {
    const problems = [...validateModel(model), ...validateTrain(train)];
    if (problems.length) throw new Error(problems.join(' '));
    this.ref = new ReferenceTrainer(model, train);
    if (this.ref.layout.count > CPU_MAX_PARAMS) {
      throw new Error(
        `The CPU fallback handles models up to ${CPU_MAX_PARAMS.toLocaleString('en-US')} parameters; this one has ${this.ref.layout.count.toLocaleString('en-US')}. Use a browser with WebGPU for larger models.`,
      );
    }
  }

  get train(): TrainConfig {
    return this.ref.train;
  }

  /** The live float64 parameters (the CPU inference reads them without a copy). */
  get params(): Float64Array {
    return this.ref.params;
  }

  get layout(): ParamLayout {
    return this.ref.layout;
  }

  get stepCount(): number {
    return this.ref.steps;
  }

  /** Computes the step now; metrics are emitted asynchronously, like the GPU engine's. */
  step(batch: TokenBatch): void {
    const { seqLen: T, batchSize: B } = this.ref.train;
    if (batch.inputs.length !== T * B || batch.targets.length !== T * B)
      throw new Error(`CpuTrainer.step: expected ${T * B} inputs and targets`);
    const r = this.ref.step({ T, B, ...batch });
    const metrics: StepMetrics = {
      step: this.ref.steps,
      loss: r.fb.loss,
      gradNorm: r.norms.global,
      clipScale: r.scale,
      nonFinite: r.norms.nonFinite,
      tensorNorms: Float32Array.from(r.norms.perTensor),
      dhNorms: r.fb.dhNorms.map((d) => Float32Array.from(d)),
    };
    this.queue = this.queue.then(() => {
      this.events.emit('metrics', metrics);
      if (metrics.nonFinite) this.events.emit('diverged', metrics);
    });
  }

  setConfig(patch: Partial<TrainConfig>): void {
    const problems = validateTrain({ ...this.ref.train, ...patch });
    if (problems.length) throw new Error(problems.join(' '));
    this.ref.setConfig(patch);
  }

  flush(): Promise<void> {
    return this.queue;
  }

  async readParams(): Promise<Float32Array> {
    return Float32Array.from(this.ref.params);
  }

  async writeParams(data: Float32Array): Promise<void> {
    if (data.length !== this.ref.params.length)
      throw new Error(`writeParams: expected ${this.ref.params.length} floats, got ${data.length}`);
    this.ref.params = Float64Array.from(data);
  }

  async readOptimizerState(): Promise<{ m: Float32Array; v: Float32Array }> {
    return { m: Float32Array.from(this.ref.state.m), v: Float32Array.from(this.ref.state.v) };
  }

  async writeOptimizerState(state: { m: Float32Array; v: Float32Array }, stepCount: number): Promise<void> {
    const n = this.ref.params.length;
    if (state.m.length !== n || state.v.length !== n)
      throw new Error(`writeOptimizerState: expected ${n} floats for m and v`);
    this.ref.state = { m: Float64Array.from(state.m), v: Float64Array.from(state.v) };
    this.ref.steps = stepCount;
  }

  resetState(): void {
    this.ref.carried = null;
  }

  async readState(): Promise<CarriedState> {
    const { batchSize: B } = this.ref.train;
    const BH = B * this.model.hiddenSize;
    const c = this.ref.carried;
    const layer = (x: Float64Array[] | undefined, l: number) =>
      x ? Float32Array.from(x[l]!) : new Float32Array(BH);
    return {
      fresh: c === null,
      h: Array.from({ length: this.model.layers }, (_, l) => layer(c?.h, l)),
      c: Array.from({ length: this.model.layers }, (_, l) => layer(c?.c, l)),
    };
  }

  /** Forward-only inference on a copy of the parameters as they are now (the GPU Engine.snapshot's twin). */
  snapshot(): CpuInference {
    const copy = this.ref.params.slice();
    return new CpuInference(this.model, () => copy);
  }

  async capture(optimizer: boolean): Promise<TrainingCapture> {
    // Steps run synchronously here, so copying now is consistent with every step taken so far.
    const step = this.ref.steps;
    const params = Float32Array.from(this.ref.params);
    const opt = optimizer
      ? { m: Float32Array.from(this.ref.state.m), v: Float32Array.from(this.ref.state.v) }
      : undefined;
    const state = await this.readState();
    return { step, params, ...(opt ? { optimizer: opt } : {}), state };
  }

  writeState(state: CarriedState): void {
    const BH = this.ref.train.batchSize * this.model.hiddenSize;
    if (
      state.h.length !== this.model.layers ||
      state.h.some((x, l) => x.length !== BH || state.c[l]?.length !== BH)
    )
      throw new Error(`writeState: expected ${this.model.layers} layers of ${BH} floats (B × H) for h and c`);
    this.ref.carried = state.fresh
      ? null
      : { h: state.h.map((x) => Float64Array.from(x)), c: state.c.map((x) => Float64Array.from(x)) };
  }

  dispose(): void {}
}
