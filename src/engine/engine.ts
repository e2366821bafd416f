// Engine: trains the character-level recurrent model entirely in WGSL. One iteration is one command
// encoder and one submit (DESIGN.md §1): embedding → per layer [input GEMM, T fused steps] → head GEMM →
// fused softmax-xent → head grads → per layer [T fused backward steps, weight GEMMs] → embedding grad →
// norms → clip-and-update. Metrics come back through a readback ring, never awaited inside step().
import { Emitter } from '../core/emitter';
import { type ModelConfig, type TrainConfig, gateCount, validateModel, validateTrain } from '../core/config';
import { type MatmulSpec, matmulSpec as spec } from '../core/matmul';
import { type ParamLayout, initParams, paramLayout } from '../core/params';
import { ReadbackRing, createStorageBuffer, createStorageBufferFrom, readFloats } from '../gpu/buffers';
import { type ColumnSumCall, ColumnSumKernel, columnSumScratch } from '../gpu/kernels/columnSum';
import { EmbeddingKernel, type EmbeddingCall } from '../gpu/kernels/embedding';
import { GradNormKernel, type GradNormCall, STATS, type SegmentNormCall } from '../gpu/kernels/gradNorm';
import { MatmulKernel, type MatmulCall } from '../gpu/kernels/matmul';
import { OptimizerKernel, type OptimizerCall } from '../gpu/kernels/optimizer';
import { type CellLayer, RecurrentCellKernel } from '../gpu/kernels/recurrentCell';
import { SoftmaxXentKernel, type SoftmaxXentCall } from '../gpu/kernels/softmaxXent';
import { GpuTimer } from '../gpu/timing';
import { estimateActivationFloats } from './memory';
import type { EngineEvents, StepMetrics, TokenBatch, Trainer } from './types';

/** Activation buffers and every prepared call for one (T, B); rebuilt when either changes. */
interface Plan {
  T: number;
  B: number;
  buffers: GPUBuffer[];
  tokens: GPUBuffer;
  targets: GPUBuffer;
  states: GPUBuffer[];
  logits: GPUBuffer;
  losses: GPUBuffer;
  stats: GPUBuffer;
  statsFloats: number;
  embedding: EmbeddingCall;
  layers: CellLayer[];
  inputGemm: MatmulCall[];
  headGemm: MatmulCall;
  xent: SoftmaxXentCall;
  headGrads: MatmulCall[];
  headSums: ColumnSumCall[];
  layerGrads: MatmulCall[][];
  layerSums: ColumnSumCall[][];
  dhNorms: SegmentNormCall[];
  norms: GradNormCall;
  ring: ReadbackRing;
}

/** Trains on a GPUDevice. Create with Engine.create(); drive with step(); listen on `events`. */
export class Engine implements Trainer {
  readonly kind = 'gpu';
  readonly events = new Emitter<EngineEvents>();
  readonly layout: ParamLayout;
  private readonly matmul: MatmulKernel;
  private readonly cellKernel: RecurrentCellKernel;
  private readonly xentKernel: SoftmaxXentKernel;
  private readonly embedKernel: EmbeddingKernel;
  private readonly normKernel: GradNormKernel;
  private readonly sumKernel: ColumnSumKernel;
  private optKernel: OptimizerKernel;
  private readonly params: GPUBuffer;
  private readonly grads: GPUBuffer;
  private readonly optM: GPUBuffer;
  private readonly optV: GPUBuffer;
  private readonly timer: GpuTimer;
  private plan!: Plan;
  private optCall!: OptimizerCall;
  private steps = 0;
  private pending: Promise<void>[] = [];
  private disposed = false;
  train: TrainConfig;

  private constructor(
    private readonly device: GPUDevice,
    readonly model: ModelConfig,
    train: TrainConfig,
  ) {
    this.train = { ...train };
    this.layout = paramLayout(model);
    this.matmul = new MatmulKernel(device);
    this.cellKernel = new RecurrentCellKernel(device, model.cell);
    this.xentKernel = new SoftmaxXentKernel(device);
    this.embedKernel = new EmbeddingKernel(device);
    this.normKernel = new GradNormKernel(device);
    this.sumKernel = new ColumnSumKernel(device);
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
  static create(device: GPUDevice, model: ModelConfig, train: TrainConfig): Engine {
    const problems = [...validateModel(model), ...validateTrain(train), ...checkLimits(device, model, train)];
    if (problems.length) throw new Error(problems.join(' '));
    const engine = new Engine(device, model, train);
    engine.plan = engine.buildPlan(train.seqLen, train.batchSize);
    engine.optCall = engine.optKernel.prepare(engine.layout.totalSize, engine.optBuffers());
    return engine;
  }

  get stepCount(): number {
    return this.steps;
  }

  private optBuffers() {
    return { stats: this.plan.stats, grads: this.grads, params: this.params, m: this.optM, v: this.optV };
  }

  private buildPlan(T: number, B: number): Plan {
    const d = this.device;
    const m = this.model;
    const lay = this.layout;
    const H = m.hiddenSize;
    const E = m.embedSize;
    const V = m.vocabSize;
    const G = gateCount(m.cell);
    const A = m.cell === 'rnn' ? 1 : 4;
    const L = m.layers;
    const N = T * B;
    const buffers: GPUBuffer[] = [];
    const buf = (label: string, floats: number): GPUBuffer => {
      const b = createStorageBuffer(d, `Engine.${label}`, floats);
      buffers.push(b);
      return b;
    };
    const tokens = buf('tokens', N);
    const targets = buf('targets', N);
    const x0 = buf('x0', N * E);
    const gx = buf('gx', N * G * H);
    const states = Array.from({ length: L }, (_, l) => buf(`states${l}`, 2 * (T + 1) * B * H));
    const acts = Array.from({ length: L }, (_, l) => buf(`act${l}`, N * A * H));
    const logits = buf('logits', N * V);
    const dlogits = buf('dlogits', N * V);
    const losses = buf('losses', N);
    const dabove = buf('dabove', N * Math.max(H, E));
    const dg = buf('dg', 2 * N * G * H);
    const peep = m.cell === 'lstm-peephole';
    const scratch = buf('scratch', 2 * B * H + N * H + (peep ? N * 3 * H : 0));
    // Scratch of every bias/peephole column sum (they run one after another).
    const partials = buf('colsumPartials', columnSumScratch(N, Math.max(G * H, 3 * H, V)));
    const colsum = (C: number, x: GPUBuffer, inOff: number, outOff: number, label: string): ColumnSumCall => {
      const call = this.sumKernel.prepare(N, C, x, inOff, this.grads, outOff, partials, `Engine.${label}`);
      buffers.push(call.uniform);
      return call;
    };
    const nT = lay.tensors.length;
    const statsFloats = STATS.tensorNorms + nT + L * T;
    const stats = buf('stats', statsFloats);
    const steps = this.cellKernel.createStepUniform(T);
    buffers.push(steps);

    const mm = (s: MatmulSpec, b: Parameters<MatmulKernel['prepare']>[1], label: string): MatmulCall => {
      const call = this.matmul.prepare(s, b, `Engine.${label}`);
      buffers.push(call.params);
      return call;
    };
    const embedding = this.embedKernel.prepare(N, E, V, lay.embedding.offset, {
      params: this.params,
      tokens,
      out: x0,
      dout: dabove,
      grads: this.grads,
    });
    buffers.push(embedding.uniform);
    const layers: CellLayer[] = [];
    const inputGemm: MatmulCall[] = [];
    const layerGrads: MatmulCall[][] = [];
    const layerSums: ColumnSumCall[][] = [];
    const dhNorms: SegmentNormCall[] = [];
    const dhFullOff = 2 * B * H;
    for (let l = 0; l < L; l++) {
      const lt = lay.layers[l]!;
      const I = l === 0 ? E : H;
      const input = l === 0 ? { buf: x0, off: 0 } : { buf: states[l - 1]!, off: B * H };
      inputGemm.push(
        mm(
          spec(N, G * H, I, { transB: true, bias: true }),
          {
            a: input.buf,
            offA: input.off,
            b: this.params,
            offB: lt.weightIh.offset,
            c: gx,
            bias: this.params,
            offBias: lt.biasIh.offset,
          },
          `inputGemm${l}`,
        ),
      );
      const layer = this.cellKernel.prepare(
        {
          B,
          H,
          T,
          offWhh: lt.weightHh.offset,
          offBhh: lt.biasHh.offset,
          offPeep: lt.peephole?.offset ?? 0,
          offH0: lt.h0?.offset ?? 0,
          offC0: lt.c0?.offset ?? 0,
          cOff: (T + 1) * B * H,
          dghOff: N * G * H,
          carryCOff: B * H,
          dhFullOff,
          dpeepOff: dhFullOff + N * H,
          learnedInit: m.learnedInit,
        },
        {
          params: this.params,
          gx,
          states: states[l]!,
          act: acts[l]!,
          dabove,
          dg,
          scratch,
          grads: this.grads,
        },
        steps,
        `Engine.layer${l}`,
      );
      buffers.push(layer.uniform);
      layers.push(layer);
      const grads: MatmulCall[] = [
        mm(
          spec(G * H, I, N, { transA: true, accumulate: true }),
          { a: dg, b: input.buf, offB: input.off, c: this.grads, offC: lt.weightIh.offset },
          `dWih${l}`,
        ),
        mm(
          spec(G * H, H, N, { transA: true, accumulate: true }),
          { a: dg, offA: N * G * H, b: states[l]!, c: this.grads, offC: lt.weightHh.offset },
          `dWhh${l}`,
        ),
      ];
      const sums = [
        colsum(G * H, dg, 0, lt.biasIh.offset, `dbih${l}`),
        colsum(G * H, dg, N * G * H, lt.biasHh.offset, `dbhh${l}`),
      ];
      if (lt.peephole) sums.push(colsum(3 * H, scratch, dhFullOff + N * H, lt.peephole.offset, `dpeep${l}`));
      layerSums.push(sums);
      // dabove for the layer below (or the embedding): dgx · W_ih, overwriting what this layer consumed.
      grads.push(
        mm(spec(N, I, G * H), { a: dg, b: this.params, offB: lt.weightIh.offset, c: dabove }, `dx${l}`),
      );
      layerGrads.push(grads);
      const seg = this.normKernel.prepareSegments(
        scratch,
        dhFullOff,
        B * H,
        T,
        stats,
        STATS.tensorNorms + nT + l * T,
      );
      buffers.push(seg.uniform);
      dhNorms.push(seg);
    }
    const top = { buf: states[L - 1]!, off: B * H };
    const headGemm = mm(
      spec(N, V, H, { transB: true, bias: true }),
      {
        a: top.buf,
        offA: top.off,
        b: this.params,
        offB: lay.headWeight.offset,
        c: logits,
        bias: this.params,
        offBias: lay.headBias.offset,
      },
      'headGemm',
    );
    const xent = this.xentKernel.prepare(N, V, { logits, targets, dlogits, losses, stats }, STATS.loss);
    buffers.push(xent.uniform);
    const headGrads = [
      mm(
        spec(V, H, N, { transA: true, accumulate: true }),
        { a: dlogits, b: top.buf, offB: top.off, c: this.grads, offC: lay.headWeight.offset },
        'dWhead',
      ),
      mm(spec(N, H, V), { a: dlogits, b: this.params, offB: lay.headWeight.offset, c: dabove }, 'dtop'),
    ];
    const headSums = [colsum(V, dlogits, 0, lay.headBias.offset, 'dbhead')];
    const norms = this.normKernel.prepare(lay.tensors, this.grads, stats, this.train.clipNorm);
    buffers.push(...norms.buffers);
    // Grows to 64 slots: the caller may run up to 64 steps ahead of the GPU before metrics are dropped.
    const ring = new ReadbackRing(d, statsFloats * 4, 4, 'Engine.metrics', 64);
    return {
      T,
      B,
      buffers,
      tokens,
      targets,
      states,
      logits,
      losses,
      stats,
      statsFloats,
      embedding,
      layers,
      inputGemm,
      headGemm,
      xent,
      headGrads,
      headSums,
      layerGrads,
      layerSums,
      dhNorms,
      norms,
      ring,
    };
  }

  /** Encodes and submits one iteration. Throws if the batch does not have T·B tokens. */
  step(batch: TokenBatch): void {
    if (this.disposed) throw new Error('Engine: used after dispose()');
    const p = this.plan;
    const N = p.T * p.B;
    if (batch.inputs.length !== N || batch.targets.length !== N) {
      throw new Error(
        `Engine.step: expected ${N} inputs and targets (T ${p.T} × B ${p.B}), got ${batch.inputs.length} and ${batch.targets.length}`,
      );
    }
    const V = this.model.vocabSize;
    for (const arr of [batch.inputs, batch.targets])
      for (const tok of arr)
        if (tok >= V) throw new Error(`Engine.step: token ${tok} outside the vocabulary of ${V}`);
    const d = this.device;
    this.steps++;
    d.queue.writeBuffer(p.tokens, 0, batch.inputs);
    d.queue.writeBuffer(p.targets, 0, batch.targets);
    this.optKernel.setStep(this.optCall, this.train, this.steps);
    const timing = this.timer.begin();
    const enc = d.createCommandEncoder({ label: `Engine.step${this.steps}` });
    enc.clearBuffer(this.grads);
    const L = this.model.layers;
    const cell = this.cellKernel;

    let pass = enc.beginComputePass({ label: 'Engine.forward', ...this.timer.passTimestamps('forward') });
    this.embedKernel.encodeForward(pass, p.embedding);
    for (let l = 0; l < L; l++) {
      const layer = p.layers[l]!;
      cell.encodeInit(pass, layer);
      this.matmul.encode(pass, p.inputGemm[l]!);
      for (let t = 0; t < p.T; t++) cell.encodeForward(pass, layer, t);
    }
    this.matmul.encode(pass, p.headGemm);
    pass.end();

    pass = enc.beginComputePass({ label: 'Engine.loss', ...this.timer.passTimestamps('loss') });
    this.xentKernel.encode(pass, p.xent);
    for (const call of p.headGrads) this.matmul.encode(pass, call);
    for (const call of p.headSums) this.sumKernel.encode(pass, call);
    pass.end();

    for (let l = L - 1; l >= 0; l--) {
      const layer = p.layers[l]!;
      pass = enc.beginComputePass({ label: `Engine.backward${l}`, ...this.timer.passTimestamps('backward') });
      for (let t = p.T - 1; t >= 0; t--) cell.encodeBackward(pass, layer, t);
      if (this.model.learnedInit) cell.encodeBackwardInit(pass, layer);
      this.normKernel.encodeSegments(pass, p.dhNorms[l]!);
      pass.end();
      pass = enc.beginComputePass({
        label: `Engine.weightGrads${l}`,
        ...this.timer.passTimestamps('weight_grads'),
      });
      for (const call of p.layerGrads[l]!) this.matmul.encode(pass, call);
      for (const call of p.layerSums[l]!) this.sumKernel.encode(pass, call);
      if (l === 0) this.embedKernel.encodeBackward(pass, p.embedding);
      pass.end();
    }

    pass = enc.beginComputePass({ label: 'Engine.optimizer', ...this.timer.passTimestamps('optimizer') });
    this.normKernel.encode(pass, p.norms);
    this.optKernel.encode(pass, this.optCall);
    pass.end();

    const slot = p.ring.acquire();
    if (slot) p.ring.copy(enc, slot, p.stats, 0, 0, p.statsFloats * 4);
    this.timer.resolve(enc);
    d.queue.submit([enc.finish()]);

    const stepNo = this.steps;
    const timesP = timing ? this.timer.read() : Promise.resolve(null);
    if (slot) {
      this.pending.push(
        new Promise<void>((resolve) => {
          p.ring.commit(
            slot,
            (data) => {
              void timesP.then((times) => {
                this.emitMetrics(stepNo, new Float32Array(data), p.T, times ?? undefined);
                resolve();
              });
            },
            (err) => {
              this.events.emit('error', `metrics readback failed: ${String(err)}`);
              resolve();
            },
          );
        }),
      );
    }
  }

  private emitMetrics(step: number, s: Float32Array, T: number, gpuMs?: Record<string, number>): void {
    const nT = this.layout.tensors.length;
    const base = STATS.tensorNorms + nT;
    const metrics: StepMetrics = {
      step,
      loss: s[STATS.loss]!,
      gradNorm: s[STATS.globalNorm]!,
      clipScale: s[STATS.clipScale]!,
      nonFinite: s[STATS.nonFinite]! !== 0,
      tensorNorms: s.slice(STATS.tensorNorms, base),
      dhNorms: Array.from({ length: this.model.layers }, (_, l) => s.slice(base + l * T, base + (l + 1) * T)),
      ...(gpuMs ? { gpuMs } : {}),
    };
    this.events.emit('metrics', metrics);
    if (metrics.nonFinite) this.events.emit('diverged', metrics);
  }

  setConfig(patch: Partial<TrainConfig>): void {
    const next = { ...this.train, ...patch };
    const problems = [...validateTrain(next), ...checkLimits(this.device, this.model, next)];
    if (problems.length) throw new Error(problems.join(' '));
    const reshape = next.seqLen !== this.train.seqLen || next.batchSize !== this.train.batchSize;
    const newOpt = next.optimizer !== this.train.optimizer;
    this.train = next;
    if (reshape) {
      const old = this.plan;
      this.plan = this.buildPlan(next.seqLen, next.batchSize);
      // Old buffers may still be in use by submitted work; destroy them once it has finished.
      void this.device.queue.onSubmittedWorkDone().then(() => {
        for (const b of old.buffers) b.destroy();
        old.ring.destroy();
      });
    } else {
      this.normKernel.setClip(
        this.plan.norms,
        this.layout.tensors.length,
        this.normChunkWords(),
        next.clipNorm,
      );
    }
    if (newOpt) {
      this.optKernel = new OptimizerKernel(this.device, next.optimizer);
      const enc = this.device.createCommandEncoder({ label: 'Engine.resetOptimizer' });
      enc.clearBuffer(this.optM);
      enc.clearBuffer(this.optV);
      this.device.queue.submit([enc.finish()]);
    }
    if (reshape || newOpt) this.optCall = this.optKernel.prepare(this.layout.totalSize, this.optBuffers());
  }

  private normChunkWords(): number {
    return this.layout.tensors.reduce((a, t) => a + 2 * Math.ceil(t.size / 4096), 0);
  }

  /** Work encoded per iteration with the current configuration (the benchmark reports it). */
  stepShape(): { dispatches: number; passes: number; submits: number } {
    const { T } = this.plan;
    const L = this.model.layers;
    const p = this.plan;
    const gemms = p.headGrads.length + p.layerGrads.reduce((a, g) => a + g.length, 0);
    const sums = 2 * (p.headSums.length + p.layerSums.reduce((a, g) => a + g.length, 0));
    const init = this.model.learnedInit ? L : 0;
    // embedding, per layer (init + input GEMM + T steps), head, xent (2), per layer (T steps + dh norms),
    // learned-init grads, gradient GEMMs, column sums (2 each), embedding grad, norms (2), optimiser.
    const dispatches = 1 + L * (2 + T) + 1 + 2 + L * (T + 1) + init + gemms + sums + 1 + 2 + 1;
    return { dispatches, passes: 3 + 2 * L, submits: 1 };
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
    return {
      m: await readFloats(this.device, this.optM, this.layout.totalSize),
      v: await readFloats(this.device, this.optV, this.layout.totalSize),
    };
  }

  /** Intermediate buffers of the last step, for tests: logits (N, V), per-row losses, layer states. */
  async readActivations(): Promise<{ logits: Float32Array; losses: Float32Array; states: Float32Array[] }> {
    const p = this.plan;
    return {
      logits: await readFloats(this.device, p.logits),
      losses: await readFloats(this.device, p.losses),
      states: await Promise.all(p.states.map((s) => readFloats(this.device, s))),
    };
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const b of this.plan.buffers) b.destroy();
    this.plan.ring.destroy();
    for (const b of [this.params, this.grads, this.optM, this.optV, this.optCall.uniform]) b.destroy();
    this.timer.destroy();
  }
}

/** Problems with running this configuration on this device, each naming the limit it would break. */
export function checkLimits(device: GPUDevice, model: ModelConfig, train: TrainConfig): string[] {
  const lim = device.limits;
  const problems: string[] = [];
  const largest = estimateActivationFloats(model, train).largestBuffer * 4;
  if (largest > lim.maxStorageBufferBindingSize) {
    problems.push(
      `This configuration needs a ${(largest / 2 ** 20).toFixed(0)} MiB buffer but this GPU binds at most ${(lim.maxStorageBufferBindingSize / 2 ** 20).toFixed(0)} MiB (maxStorageBufferBindingSize): reduce batch, BPTT length or hidden size.`,
    );
  }
  if (model.vocabSize > lim.maxComputeWorkgroupsPerDimension) {
    problems.push(
      `A vocabulary of ${model.vocabSize} exceeds this GPU's ${lim.maxComputeWorkgroupsPerDimension} workgroups per dimension (maxComputeWorkgroupsPerDimension).`,
    );
  }
  if (train.batchSize > lim.maxComputeWorkgroupsPerDimension)
    problems.push(`Batch ${train.batchSize} exceeds maxComputeWorkgroupsPerDimension.`);
  return problems;
}
