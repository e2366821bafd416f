// Engine: trains the character-level recurrent model entirely in WGSL. It owns the parameters, gradients
// and optimiser state; engine/plan.ts owns the per-(T, B) buffers and the encoding of one iteration. Each
// step is one command encoder and one submit; metrics (and GPU timestamps) come back through one readback
// slot per step, never awaited inside step().
import { Emitter } from '../core/emitter';
import { type ModelConfig, type TrainConfig, validateModel, validateTrain } from '../core/config';
import { type ParamLayout, initParams, paramLayout } from '../core/params';
import {
  type ReadbackSlot,
  type Region,
  createStorageBuffer,
  createStorageBufferFrom,
  encodeReadback,
  readFloats,
} from '../gpu/buffers';
import { OptimizerKernel, type OptimizerCall } from '../gpu/kernels/optimizer';
import { GpuTimer } from '../gpu/timing';
import { GpuInference } from './inference';
import { dhNormRows, limitProblems } from './memory';
import { countIteration, encodeIteration } from './iteration';
import { tilesFor } from './tuner';
import type { CellTiles } from '../core/tiles';
import { EngineKernels, type Plan, buildPlan, carriedSlots, carryRows, resetRows } from './plan';
import { AheadStep, type RecordedStep } from './recordedStep';
import { decodeStepMetrics } from './stepMetrics';
import { checkBatch } from './batchCheck';
import type {
  CarriedState,
  EngineEvents,
  EngineOptions,
  TokenBatch,
  Trainer,
  TrainingCapture,
} from './types';

/** Trains on a GPUDevice. Create with Engine.create(); drive with step(); listen on `events`. */
export class Engine implements Trainer {
  readonly kind = 'gpu';
  readonly events = new Emitter<EngineEvents>();
  readonly layout: ParamLayout;
  private readonly kernels: EngineKernels;
  private optKernel: OptimizerKernel;
  private readonly params: GPUBuffer;
  private readonly grads: GPUBuffer;
  private readonly optM: GPUBuffer;
  private readonly optV: GPUBuffer;
  private readonly timer: GpuTimer;
  private plan!: Plan;
  private optCall!: OptimizerCall;
  /**
   * Encoder–decoder models: a plan (and optimiser call bound to its stats) per split point of the window,
   * built on first use; the current one is `plan`. Empty for a single stack.
   */
  private splitPlans = new Map<number, { plan: Plan; optCall: OptimizerCall }>();
  private steps = 0;
  private pending: Promise<void>[] = [];
  private disposed = false;
  private inferenceRunner: GpuInference | null = null;
  private snapshotParams: GPUBuffer | null = null;
  private snapshotRunner: GpuInference | null = null;
  /** The next step starts every sequence from h0/c0 (first step, after a reshape, after resetState). */
  private fresh = true;
  /** Positions the plan's loss is averaged over (its softmax_xent uniform holds 1/lossCount). */
  private lossCount = 0;
  private rowsReset!: Uint32Array;
  private rowsCarry!: Uint32Array;
  /** The next iteration, recorded right after the previous submit while the GPU runs it (recordedStep.ts). */
  private readonly ahead = new AheadStep();
  /** Record each iteration ahead of its step (tests switch it off to compare). */
  encodeAhead = true;
  /**
   * Record each phase of an iteration (forward, loss, backward, weight gradients, optimiser) in a compute pass
   * of its own, timed separately: the benchmark's per-phase breakdown. Off (the default), the whole iteration
   * is one pass, timed as a whole (iteration.ts encodeIteration).
   */
  phasePasses = false;
  private lastSplit = 0;
  train: TrainConfig;

  private constructor(
    private readonly device: GPUDevice,
    readonly model: ModelConfig,
    train: TrainConfig,
    options: EngineOptions,
  ) {
    this.train = { ...train };
    this.layout = paramLayout(model);
    this.kernels = new EngineKernels(
      device,
      model,
      options.tiles ??
        tilesFor(device, model.cell, train.batchSize, model.hiddenSize, model.encoder !== undefined),
      options.wave,
    );
    this.optKernel = new OptimizerKernel(device, train.optimizer);
    const n = this.layout.totalSize;
    this.params = createStorageBufferFrom(
      device,
      'Engine.params',
      initParams(model, this.layout, train.seed),
    );
    this.grads = createStorageBuffer(device, 'Engine.grads', n);
    this.optM = createStorageBuffer(device, 'Engine.optM', n);
    this.optV = createStorageBuffer(device, 'Engine.optV', n);
    this.timer = new GpuTimer(device);
  }

  /**
   * Validates the configuration against itself and the device's limits, then allocates everything and
   * initialises parameters from `train.seed`. Throws an Error whose message lists every problem.
   */
  static create(device: GPUDevice, model: ModelConfig, train: TrainConfig, o: EngineOptions = {}): Engine {
    const problems = [...validateModel(model), ...validateTrain(train), ...checkLimits(device, model, train)];
    if (problems.length) throw new Error(problems.join(' '));
    const engine = new Engine(device, model, train, o);
    engine.plan = engine.buildPlan(train.seqLen, train.batchSize);
    engine.optCall = engine.optKernel.prepare(engine.layout.totalSize, engine.optBuffersOf(engine.plan));
    return engine;
  }

  /** The tile shapes of the fused recurrent steps this engine compiled (engine/tuner.ts chose them). */
  get cellTiles(): CellTiles {
    return this.kernels.tiles;
  }

  get stepCount(): number {
    return this.steps;
  }

  /** Makes the plan for an encoder–decoder window split at `split` current (segmentsOf checks it). */
  private useSplit(split: number): void {
    this.splitPlans.set(this.plan.split, { plan: this.plan, optCall: this.optCall });
    let next = this.splitPlans.get(split);
    if (!next) {
      const plan = this.buildPlan(this.train.seqLen, this.train.batchSize, split);
      next = { plan, optCall: this.optKernel.prepare(this.layout.totalSize, this.optBuffersOf(plan)) };
      this.splitPlans.set(split, next);
    }
    this.plan = next.plan;
    this.optCall = next.optCall;
    // The new plan's softmax_xent uniform holds its own 1/count.
    this.lossCount = 0;
  }

  private optBuffersOf(plan: Plan) {
    return { stats: plan.stats, grads: this.grads, params: this.params, m: this.optM, v: this.optV };
  }

  private buildPlan(T: number, B: number, split = 0): Plan {
    this.rowsReset = resetRows(B);
    this.rowsCarry = carryRows(B);
    this.fresh = true;
    this.lossCount = T * B;
    return buildPlan(this.planContext(), T, B, this.timer.bytes, split);
  }

  private planContext() {
    return {
      device: this.device,
      model: this.model,
      layout: this.layout,
      kernels: this.kernels,
      params: this.params,
      grads: this.grads,
      clipNorm: this.train.clipNorm,
    };
  }

  /** Drops every split plan but the current one (after a reshape or a new optimiser), once the GPU is done. */
  private dropSplitPlans(): void {
    const old = [...this.splitPlans.values()].filter((e) => e.plan !== this.plan);
    this.splitPlans.clear();
    void this.device.queue.onSubmittedWorkDone().then(() => {
      for (const e of old) {
        for (const b of e.plan.buffers) b.destroy();
        e.plan.ring.destroy();
        e.optCall.uniform.destroy();
      }
    });
  }

  private optimizer() {
    return { kernel: this.optKernel, call: this.optCall };
  }

  /** Encodes and submits one iteration. Throws if the batch does not have T·B tokens. */
  step(batch: TokenBatch): void {
    if (this.disposed) throw new Error('Engine: used after dispose()');
    if ((batch.split ?? 0) !== this.plan.split) this.useSplit(batch.split ?? 0);
    const p = this.plan;
    const { count, reverse } = checkBatch(this.model, this.layout, p, batch);
    const d = this.device;
    if (p.reverse && reverse) {
      d.queue.writeBuffer(p.reverse.tokens, 0, reverse.inputs);
      d.queue.writeBuffer(p.reverse.map, 0, reverse.map);
    }
    this.steps++;
    d.queue.writeBuffer(p.tokens, 0, batch.inputs);
    d.queue.writeBuffer(p.targets, 0, batch.targets);
    // The loss is the mean over the labelled positions: inv_n of the softmax_xent uniform (word 2).
    if (count !== this.lossCount) d.queue.writeBuffer(p.xent.uniform, 8, Float32Array.of(1 / count));
    this.lossCount = count;
    const reset = this.fresh || !this.train.carryState || !!batch.startsEpoch;
    d.queue.writeBuffer(p.rows, 0, reset ? this.rowsReset : this.rowsCarry);
    this.fresh = false;
    this.optKernel.setStep(this.optCall, this.train, this.steps);
    const current = { plan: p, optKernel: this.optKernel, optCall: this.optCall };
    const recorded = this.ahead.take(current) ?? this.record(p.ring.acquire());
    d.queue.submit([recorded.commands]);
    if (recorded.slot) this.commitMetrics(recorded.slot, recorded.phases);
    // Record the next iteration now, unless the window's split keeps changing (encoder–decoder batches of
    // varied lengths), where it would mostly be recorded for the wrong plan. It takes a free metrics slot
    // only: when every slot is in flight the next step asks again rather than go without metrics.
    const split = batch.split ?? 0;
    if (this.encodeAhead && split === this.lastSplit) {
      const slot = p.ring.acquire(true);
      // This step is submitted: a failure to record the next belongs to the next step, which records again.
      if (slot)
        try {
          this.ahead.hold(this.record(slot));
        } catch {
          p.ring.release(slot);
        }
    }
    this.lastSplit = split;
  }

  /** Records one iteration of the current plan (everything but the per-step queue writes). */
  private record(slot: ReadbackSlot | null): RecordedStep {
    const p = this.plan;
    this.timer.begin();
    const enc = this.device.createCommandEncoder({ label: 'Engine.step' });
    enc.clearBuffer(this.grads);
    const open = (label: string, phase: string) =>
      enc.beginComputePass({ label, ...this.timer.passTimestamps(phase) });
    encodeIteration(p, this.kernels, this.model.learnedInit, this.optimizer(), open, this.phasePasses);
    const phases = slot ? this.timer.resolve(enc, slot.buffer, p.timingOffset) : [];
    if (slot) p.ring.copy(enc, slot, p.stats, 0, 0, p.statsFloats * 4);
    const commands = enc.finish();
    return { plan: p, optKernel: this.optKernel, optCall: this.optCall, commands, slot, phases };
  }

  /** Delivers this step's loss, norms and GPU times once its metrics slot has been read back. */
  private commitMetrics(slot: ReadbackSlot, phases: string[]): void {
    const p = this.plan;
    const stepNo = this.steps;
    this.pending.push(
      new Promise<void>((resolve) => {
        p.ring.commit(
          slot,
          (data) => {
            const times = GpuTimer.decode(phases, data, p.timingOffset);
            this.emitMetrics(stepNo, new Float32Array(data, 0, p.statsFloats), p.T, times ?? undefined);
            resolve();
          },
          (err) => {
            this.events.emit('error', `metrics readback failed: ${String(err)}`);
            resolve();
          },
        );
      }),
    );
  }

  private emitMetrics(step: number, s: Float32Array, T: number, gpuMs?: Record<string, number>): void {
    const shape = { tensors: this.layout.tensors.length, layers: dhNormRows(this.model), T };
    const metrics = decodeStepMetrics(step, s, shape, gpuMs);
    this.events.emit('metrics', metrics);
    if (metrics.nonFinite) this.events.emit('diverged', metrics);
  }

  setConfig(patch: Partial<TrainConfig>): void {
    const next = { ...this.train, ...patch };
    const problems = [...validateTrain(next), ...checkLimits(this.device, this.model, next)];
    if (problems.length) throw new Error(problems.join(' '));
    const reshape = next.seqLen !== this.train.seqLen || next.batchSize !== this.train.batchSize;
    const newOpt = next.optimizer !== this.train.optimizer;
    const newClip = next.clipNorm !== this.train.clipNorm;
    this.train = next;
    if (reshape || newOpt || newClip) this.dropSplitPlans();
    if (reshape) {
      const old = this.plan;
      this.plan = this.buildPlan(next.seqLen, next.batchSize, this.plan.split);
      // Old buffers may still be in use by submitted work; destroy them once it has finished.
      void this.device.queue.onSubmittedWorkDone().then(() => {
        for (const b of old.buffers) b.destroy();
        old.ring.destroy();
      });
    } else {
      this.kernels.norm.setClip(this.plan.norms, next.clipNorm);
    }
    if (newOpt) {
      this.optKernel = new OptimizerKernel(this.device, next.optimizer);
      const enc = this.device.createCommandEncoder({ label: 'Engine.resetOptimizer' });
      enc.clearBuffer(this.optM);
      enc.clearBuffer(this.optV);
      this.device.queue.submit([enc.finish()]);
    }
    if (reshape || newOpt) {
      this.optCall.uniform.destroy();
      this.optCall = this.optKernel.prepare(this.layout.totalSize, this.optBuffersOf(this.plan));
    }
  }

  /** Forward-only uses of the current parameters: validation, probes, sampling, beam search. */
  get inference(): GpuInference {
    if (this.disposed) throw new Error('Engine: used after dispose()');
    return (this.inferenceRunner ??= new GpuInference(this.device, this.model, this.kernels, {
      layout: this.layout,
      params: this.params,
      grads: this.grads,
    }));
  }

  /**
   * Inference over a copy of the parameters as they are after the steps submitted so far: a validation pass
   * interleaved with later training steps still measures this step's model. One snapshot at a time.
   */
  snapshot(): GpuInference {
    if (this.disposed) throw new Error('Engine: used after dispose()');
    this.snapshotParams ??= createStorageBuffer(this.device, 'Engine.snapshot', this.layout.totalSize);
    const enc = this.device.createCommandEncoder({ label: 'Engine.snapshot' });
    enc.copyBufferToBuffer(this.params, 0, this.snapshotParams, 0, this.params.size);
    this.device.queue.submit([enc.finish()]);
    return (this.snapshotRunner ??= new GpuInference(this.device, this.model, this.kernels, {
      layout: this.layout,
      params: this.snapshotParams,
      grads: this.grads,
    }));
  }

  /** The next step starts every sequence from h0/c0 (or zeros) instead of the carried state. */
  resetState(): void {
    this.fresh = true;
  }

  /**
   * The state the next step carries (slot T of each layer): h and c, (B, H) each, per layer; `fresh` when the
   * next step resets instead. Checkpoints save it so a resumed run continues exactly.
   */
  async readState(): Promise<CarriedState> {
    const fresh = this.fresh;
    return { fresh, ...splitState(await this.read(this.stateRegions())) };
  }

  /** Slot T (the state the next step carries) of each layer: h then c, (B, H) each. */
  private stateRegions(): Region[] {
    const floats = this.plan.B * this.model.hiddenSize;
    const buf = this.plan.states;
    return carriedSlots(this.plan, this.model.hiddenSize).flatMap((s) => [
      { buf, offset: s.h, floats },
      { buf, offset: s.c, floats },
    ]);
  }

  /** Reads regions back in one submit, ordered after every step submitted so far. */
  private read(regions: Region[]): Promise<Float32Array[]> {
    const enc = this.device.createCommandEncoder({ label: 'Engine.read' });
    const read = encodeReadback(this.device, enc, regions);
    this.device.queue.submit([enc.finish()]);
    return read();
  }

  capture(optimizer: boolean): Promise<TrainingCapture> {
    const n = this.layout.totalSize;
    const regions: Region[] = [{ buf: this.params, offset: 0, floats: n }];
    if (optimizer)
      regions.push({ buf: this.optM, offset: 0, floats: n }, { buf: this.optV, offset: 0, floats: n });
    const step = this.steps;
    const fresh = this.fresh;
    return this.read([...regions, ...this.stateRegions()]).then((parts) => {
      const [params, ...rest] = parts as [Float32Array, ...Float32Array[]];
      const opt = optimizer ? { m: rest.shift()!, v: rest.shift()! } : undefined;
      return {
        step,
        params,
        ...(opt ? { optimizer: opt } : {}),
        state: { fresh, ...splitState(rest) },
        tiles: this.cellTiles,
      };
    });
  }

  /** Restores a state read by readState (same B and H); the next step carries it unless `fresh`. */
  writeState(state: CarriedState): void {
    const p = this.plan;
    const BH = p.B * this.model.hiddenSize;
    if (
      state.h.length !== p.stateOff.length ||
      state.h.some((x, l) => x.length !== BH || state.c[l]?.length !== BH)
    )
      throw new Error(`writeState: expected ${p.stateOff.length} layers of ${BH} floats (B × H) for h and c`);
    carriedSlots(p, this.model.hiddenSize).forEach((s, l) => {
      this.device.queue.writeBuffer(p.states, s.h, state.h[l]!);
      this.device.queue.writeBuffer(p.states, s.c, state.c[l]!);
    });
    this.fresh = state.fresh;
  }

  /** Work encoded per iteration (the benchmark reports it); `wave`: the layers step as one wavefront. */
  stepShape(): { dispatches: number; passes: number; submits: number; wave: boolean } {
    const counts = countIteration(
      this.plan,
      this.kernels,
      this.model.learnedInit,
      this.optimizer(),
      this.phasePasses,
    );
    return { ...counts, submits: 1, wave: this.plan.wave !== null };
  }

  /** Steps submitted with commands recorded ahead, and recordings dropped because the plan changed. */
  get aheadCounts(): { used: number; dropped: number } {
    return this.ahead.counts;
  }

  /** Bytes of GPU memory the engine holds (parameters, gradients, optimiser state, activations, staging). */
  memoryBytes(): number {
    const own = [this.params, this.grads, this.optM, this.optV].reduce((a, b) => a + b.size, 0);
    return own + this.plan.buffers.reduce((a, b) => a + b.size, 0);
  }

  async flush(): Promise<void> {
    await this.device.queue.onSubmittedWorkDone();
    const pending = this.pending;
    this.pending = [];
    await Promise.all(pending);
  }

  async readParams(): Promise<Float32Array> {
    return readFloats(this.device, this.params, this.layout.totalSize);
  }

  async writeParams(data: Float32Array): Promise<void> {
    if (data.length !== this.layout.totalSize)
      throw new Error(`writeParams: expected ${this.layout.totalSize} floats, got ${data.length}`);
    this.device.queue.writeBuffer(this.params, 0, data);
    await this.device.queue.onSubmittedWorkDone();
  }

  /** Gradients of the last step (tests and the inside views). */
  readGrads(): Promise<Float32Array> {
    return readFloats(this.device, this.grads, this.layout.totalSize);
  }

  /** Optimiser state: SGD velocity or Adam's first moment in m, second moments in v. */
  async readOptimizerState(): Promise<{ m: Float32Array; v: Float32Array }> {
    const n = this.layout.totalSize;
    const [m, v] = await this.read([
      { buf: this.optM, offset: 0, floats: n },
      { buf: this.optV, offset: 0, floats: n },
    ]);
    return { m: m!, v: v! };
  }

  async writeOptimizerState(state: { m: Float32Array; v: Float32Array }, stepCount: number): Promise<void> {
    const n = this.layout.totalSize;
    if (state.m.length !== n || state.v.length !== n)
      throw new Error(`writeOptimizerState: expected ${n} floats for m and v`);
    if (!Number.isInteger(stepCount) || stepCount < 0)
      throw new Error(`writeOptimizerState: bad step count ${stepCount}`);
    this.device.queue.writeBuffer(this.optM, 0, state.m);
    this.device.queue.writeBuffer(this.optV, 0, state.v);
    this.steps = stepCount;
    await this.device.queue.onSubmittedWorkDone();
  }

  /** Logits (T·B, V) of the last step (the full-iteration check compares them). */
  readLogits(): Promise<Float32Array> {
    return readFloats(this.device, this.plan.logits);
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.ahead.clear();
    this.inferenceRunner?.dispose();
    this.snapshotRunner?.dispose();
    this.snapshotParams?.destroy();
    this.dropSplitPlans();
    for (const b of this.plan.buffers) b.destroy();
    this.plan.ring.destroy();
    for (const b of [this.params, this.grads, this.optM, this.optV, this.optCall.uniform]) b.destroy();
    this.timer.destroy();
  }
}

/** Problems with running this configuration on this device, each naming the limit it would break. */
export function checkLimits(device: GPUDevice, model: ModelConfig, train: TrainConfig): string[] {
  return limitProblems(device.limits, model, train);
}

/** Per-layer [h, c, h, c, …] regions as read back, split into h and c. */
function splitState(parts: Float32Array[]): { h: Float32Array[]; c: Float32Array[] } {
  return { h: parts.filter((_, i) => i % 2 === 0), c: parts.filter((_, i) => i % 2 === 1) };
}
