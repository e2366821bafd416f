// GpuInference: the forward-only uses of a trained model on the GPU — validation passes interleaved with
// training, next-character probabilities over a probe text, sampling (the token chosen by sample.wgsl is
// the next step's input, so a chunk of characters is one submit) and the Decoder beam search runs on. Its
// forward plans are separate from the training plan, so none of this disturbs the training state it carries.
import { type ModelConfig, actCount, outputsOf } from '../core/config';
import type { ParamLayout } from '../core/params';
import { Rng } from '../core/rng';
import { ReadbackRing, type Region, createStorageBuffer, encodeReadback, readFloats } from '../gpu/buffers';
import { type LogSoftmaxCall, SampleKernel, type SampleCall, sampleBuffers } from '../gpu/kernels/sample';
import type { ReverseInputs } from '../reference/bidirectional';
import { encodeForward } from './iteration';
import { type EngineKernels, type ForwardPlan, buildPlan, carriedSlots, carryRows, resetRows } from './plan';
import { type DecodeContext, attentionDecoder, carriedDecoder } from './taskDecoders';
import type { StepDecoder } from './seq2seqTask';
import {
  type Decoder,
  type EvalResult,
  type SampleOptions,
  evalLayout,
  evalResult,
  evalWindow,
  checkSampleRequest,
} from './sampling';

/**
 * A forward pass over a probe text, for the inside views: per layer h and c (T, H), gate activations
 * (T, A·H) in the cell's order (LSTM i, f, g, o; GRU r, z, n, W_hn·h; RNN h), and log-probabilities (T, V).
 */
export interface Inspection {
  T: number;
  H: number;
  A: number;
  h: Float32Array[];
  c: Float32Array[];
  gates: Float32Array[];
  logp: Float32Array;
}

/** A task window seen from inside (batchStates). */
export interface BatchStates {
  /** The top layer's hidden states (T, B, H). */
  top: Float32Array;
  /** The top layer's gate activations of row 0 (T, A·H), in the cell's order (Inspection.gates). */
  acts: Float32Array;
  /** A bidirectional model's reverse direction (T, B, H), on its own rows. */
  reverse?: Float32Array;
}

/** Characters generated per submit (and per streamed chunk). */
export const SAMPLE_CHUNK = 32;

/** A validation pass in progress: step() submits its next window; `result` settles after the last one. */
export interface Evaluation {
  readonly windows: number;
  /** Submits the next window; false when every window has been submitted. */
  step(): boolean;
  readonly result: Promise<EvalResult>;
}

export class GpuInference {
  private readonly sampler: SampleKernel;
  private readonly plans = new Map<string, ForwardPlan>();
  /** Per plan and row count, the log-softmax call and its output (owned by the plan: freed with it). */
  private readonly softmaxCalls = new WeakMap<
    ForwardPlan,
    Map<number, { call: LogSoftmaxCall; logp: GPUBuffer }>
  >();
  /** Forward passes encoded as a layer wavefront (tests check the path is taken). */
  waveForwards = 0;

  constructor(
    private readonly device: GPUDevice,
    private readonly model: ModelConfig,
    private readonly kernels: EngineKernels,
    private readonly ctx: { layout: ParamLayout; params: GPUBuffer; grads: GPUBuffer },
  ) {
    this.sampler = new SampleKernel(device);
  }

  /**
   * A forward-only plan for (T, B), cached; the least recently used is dropped beyond a dozen shapes (an
   * encoder–decoder evaluation uses two per source length, and a decoder's one-step plan must outlive them).
   */
  private plan(T: number, B: number, split = 0): ForwardPlan {
    const key = `${T}x${B}/${split}`;
    let p = this.plans.get(key);
    if (p) {
      this.plans.delete(key);
      this.plans.set(key, p);
    } else {
      p = buildPlan(
        { device: this.device, model: this.model, kernels: this.kernels, clipNorm: 0, ...this.ctx },
        T,
        B,
        null,
        split,
      );
      this.plans.set(key, p);
      if (this.plans.size > 12) {
        const [oldKey, old] = this.plans.entries().next().value as [string, ForwardPlan];
        this.plans.delete(oldKey);
        void this.device.queue.onSubmittedWorkDone().then(() => old.buffers.forEach((b) => b.destroy()));
      }
    }
    return p;
  }

  private forward(p: ForwardPlan, inputs: Uint32Array, rows: Uint32Array, enc: GPUCommandEncoder): void {
    this.device.queue.writeBuffer(p.tokens, 0, inputs);
    this.device.queue.writeBuffer(p.rows, 0, rows);
    const pass = enc.beginComputePass({ label: 'GpuInference.forward' });
    if (p.wave) this.waveForwards++;
    encodeForward(pass, p, this.kernels);
    pass.end();
  }

  /**
   * A validation pass over `tokens` with B streams and windows of T (each stream carries its state from
   * window to window). Windows are submitted one per step() so a trainer can interleave them with training
   * steps; losses come back without stalling.
   */
  startEvaluation(tokens: Uint32Array, T: number, B: number): Evaluation {
    const V = this.model.vocabSize;
    const lay = evalLayout(tokens.length, T, B);
    const p = this.plan(T, B);
    const ring = new ReadbackRing(this.device, T * B * 4, 2, 'GpuInference.eval', 64);
    const parts: Promise<number>[] = [];
    let w = 0;
    let finish!: (r: EvalResult) => void;
    let fail!: (e: unknown) => void;
    const result = new Promise<EvalResult>((res, rej) => ((finish = res), (fail = rej)));
    const step = (): boolean => {
      if (w >= lay.windows) return false;
      const win = evalWindow(tokens, lay, w, V);
      const enc = this.device.createCommandEncoder({ label: `GpuInference.eval${w}` });
      this.device.queue.writeBuffer(p.targets, 0, win.targets);
      this.forward(p, win.inputs, w === 0 ? resetRows(B) : carryRows(B), enc);
      const pass = enc.beginComputePass({ label: 'GpuInference.evalLoss' });
      this.kernels.xent.encode(pass, p.xent);
      pass.end();
      const slot = ring.acquire();
      if (!slot) throw new Error('GpuInference: more than 64 validation windows in flight');
      ring.copy(enc, slot, p.losses, 0, 0, T * B * 4);
      this.device.queue.submit([enc.finish()]);
      parts.push(
        new Promise<number>((res, rej) =>
          ring.commit(slot, (data) => res(new Float32Array(data).reduce((a, b) => a + b, 0)), rej),
        ),
      );
      w++;
      if (w === lay.windows)
        Promise.all(parts).then(
          (sums) => {
            ring.destroy();
            finish(
              evalResult(
                sums.reduce((a, b) => a + b, 0),
                lay.count,
              ),
            );
          },
          (e: unknown) => {
            ring.destroy();
            fail(e);
          },
        );
      return true;
    };
    if (lay.count === 0) finish(evalResult(0, 0));
    return { windows: lay.count ? lay.windows : 0, step, result };
  }

  /** Runs a whole validation pass and waits for it. */
  async evaluate(tokens: Uint32Array, T: number, B: number): Promise<EvalResult> {
    const ev = this.startEvaluation(tokens, T, B);
    while (ev.step());
    return ev.result;
  }

  /**
   * Log-probabilities (rows, V) of the logits rows [row0, row0 + rows) of plan `p` at temperature 1, and the
   * `extra` regions (buffer, byte offset, floats) read back with them: one submit, one map.
   */
  private async logProbs(
    p: ForwardPlan,
    row0: number,
    rows: number,
    enc: GPUCommandEncoder,
    extra: Region[] = [],
  ): Promise<{ logp: Float64Array; extra: Float32Array[] }> {
    const V = outputsOf(this.model);
    const { call, logp } = this.softmaxCall(p, rows);
    // The offset lands before this submit; a later call on the same plan writes its own before its submit.
    this.sampler.setOptions(call, row0 * V);
    const pass = enc.beginComputePass({ label: 'GpuInference.logSoftmax' });
    this.sampler.encodeLogSoftmax(pass, call);
    pass.end();
    const read = encodeReadback(this.device, enc, [{ buf: logp, offset: 0, floats: rows * V }, ...extra]);
    this.device.queue.submit([enc.finish()]);
    const [lp, ...parts] = await read();
    return { logp: Float64Array.from(lp!), extra: parts };
  }

  /**
   * The log-softmax call over `rows` rows of plan `p`'s logits, made once per plan and row count: greedy and
   * beam decoding call it once per output token, and building buffers and bind groups each time would cost
   * more than the readback. Its buffers join the plan's, so they go when the plan does.
   */
  private softmaxCall(p: ForwardPlan, rows: number): { call: LogSoftmaxCall; logp: GPUBuffer } {
    let byRows = this.softmaxCalls.get(p);
    if (!byRows) this.softmaxCalls.set(p, (byRows = new Map()));
    let c = byRows.get(rows);
    if (!c) {
      const logp = createStorageBuffer(this.device, 'GpuInference.logp', rows * outputsOf(this.model));
      const call = this.sampler.prepareLogSoftmax(rows, outputsOf(this.model), p.logits, logp);
      p.buffers.push(logp, call.uniform);
      byRows.set(rows, (c = { call, logp }));
    }
    return c;
  }

  /** Next-character probabilities (T, V) after each character of `tokens` (from h0/c0 or zeros). */
  async probe(tokens: Uint32Array): Promise<Float32Array> {
    const T = tokens.length;
    if (T === 0) return new Float32Array(0);
    const p = this.plan(T, 1);
    const enc = this.device.createCommandEncoder({ label: 'GpuInference.probe' });
    this.forward(p, tokens, resetRows(1), enc);
    const { logp } = await this.logProbs(p, 0, T, enc);
    return Float32Array.from(logp, Math.exp);
  }

  /**
   * Everything the inside views draw for a probe text, from one forward pass (h0/c0 or zeros at the start):
   * per layer the hidden (and cell) states and the gate activations at every position, and the next-character
   * log-probabilities.
   */
  async inspect(tokens: Uint32Array): Promise<Inspection> {
    const T = tokens.length;
    if (T === 0) throw new Error('inspect: the probe text is empty');
    const H = this.model.hiddenSize;
    const A = actCount(this.model.cell);
    const p = this.plan(T, 1);
    const enc = this.device.createCommandEncoder({ label: 'GpuInference.inspect' });
    this.forward(p, tokens, resetRows(1), enc);
    // Per layer: h (slots 1…T), c (slots 1…T of the c half), gate activations — all in the same readback.
    const regions = p.stateOff.flatMap((off, l) => [
      { buf: p.states, offset: (off + H) * 4, floats: T * H },
      { buf: p.states, offset: (off + (T + 1) * H + H) * 4, floats: T * H },
      { buf: p.acts, offset: p.actOff[l]! * 4, floats: T * A * H },
    ]);
    const { logp, extra } = await this.logProbs(p, 0, T, enc, regions);
    const pick = (k: number) => extra.filter((_, i) => i % 3 === k);
    return { T, H, A, h: pick(0), c: pick(1), gates: pick(2), logp: Float32Array.from(logp) };
  }

  /** The forward plan of a task window, with the reverse direction's input written for a bidirectional model. */
  private taskPlan(inputs: Uint32Array, T: number, B: number, split: number, reverse?: ReverseInputs) {
    if (inputs.length !== T * B) throw new Error(`GpuInference: expected ${T * B} tokens`);
    const p = this.plan(T, B, split);
    if (p.reverse) {
      if (!reverse) throw new Error('GpuInference: a bidirectional model needs the reversed inputs');
      this.device.queue.writeBuffer(p.reverse.tokens, 0, Uint32Array.from(reverse.inputs));
      this.device.queue.writeBuffer(p.reverse.map, 0, Uint32Array.from(reverse.map));
    }
    return p;
  }

  /**
   * The top layer's hidden states (T, B, H) of a task window (slots 1…T), the reverse direction's (on its
   * own rows) for a bidirectional model, and the top layer's gate activations (T, A·H) of row 0: what the
   * playground draws for the probe example.
   */
  async batchStates(
    inputs: Uint32Array,
    T: number,
    B: number,
    split = 0,
    reverse?: ReverseInputs,
  ): Promise<BatchStates> {
    const H = this.model.hiddenSize;
    const AH = actCount(this.model.cell) * H;
    const p = this.taskPlan(inputs, T, B, split, reverse);
    const enc = this.device.createCommandEncoder({ label: 'GpuInference.states' });
    this.forward(p, inputs, resetRows(B), enc);
    const last = p.stateOff.length - 1;
    const regions = [{ buf: p.states, offset: (p.stateOff[last]! + B * H) * 4, floats: T * B * H }];
    // Row 0's activations only, a region per step: every row's would be T·B·A·H floats.
    for (let t = 0; t < T; t++)
      regions.push({ buf: p.acts, offset: (p.actOff[last]! + t * B * AH) * 4, floats: AH });
    if (p.reverse) regions.push({ buf: p.reverse.states, offset: B * H * 4, floats: T * B * H });
    const read = encodeReadback(this.device, enc, regions);
    this.device.queue.submit([enc.finish()]);
    const [top, ...rest] = await read();
    const acts = new Float32Array(T * AH);
    for (let t = 0; t < T; t++) acts.set(rest[t]!, t * AH);
    const rev = rest[T];
    return { top: top!, acts, ...(rev ? { reverse: rev } : {}) };
  }

  /**
   * Log-probabilities (T·B, O) over the head's classes for B sequences of T tokens (t-major), each started
   * from h0/c0 or zeros (an encoder–decoder window split at `split`): a sequence task's evaluation and predictions.
   */
  async batchLogProbs(
    inputs: Uint32Array,
    T: number,
    B: number,
    split = 0,
    reverse?: ReverseInputs,
  ): Promise<Float64Array> {
    const p = this.taskPlan(inputs, T, B, split, reverse);
    const enc = this.device.createCommandEncoder({ label: 'GpuInference.batch' });
    this.forward(p, inputs, resetRows(B), enc);
    return (await this.logProbs(p, 0, T * B, enc)).logp;
  }

  /**
   * Attention weights (T, B, S) of an encoder–decoder window split at `split` (S = split): row t·B + b holds
   * decoder step t's weights over the S encoder steps; rows before the split are zeros.
   */
  async alignment(inputs: Uint32Array, T: number, B: number, split: number): Promise<Float64Array> {
    const p = this.plan(T, B, split);
    if (!p.attention) throw new Error('alignment: this model has no attention');
    const enc = this.device.createCommandEncoder({ label: 'GpuInference.alignment' });
    this.forward(p, inputs, resetRows(B), enc);
    const read = encodeReadback(this.device, enc, [
      { buf: p.attention.attn, offset: 0, floats: T * B * split },
    ]);
    this.device.queue.submit([enc.finish()]);
    const [a] = await read();
    const out = Float64Array.from(a!);
    out.fill(0, 0, split * B * split);
    return out;
  }

  /**
   * Copies the state after the last step of `from` into slot T of `to` (what `to` carries), rows [0, rows):
   * each from row `src` of `from`, or (no `src`) row for row.
   */
  private copyState(enc: GPUCommandEncoder, from: ForwardPlan, to: ForwardPlan, rows: number, src?: number) {
    const bytes = this.model.hiddenSize * 4;
    const dst = carriedSlots(to, this.model.hiddenSize);
    carriedSlots(from, this.model.hiddenSize).forEach((f, l) => {
      for (const k of ['h', 'c'] as const) {
        if (src === undefined) enc.copyBufferToBuffer(from.states, f[k], to.states, dst[l]![k], rows * bytes);
        else
          for (let r = 0; r < rows; r++)
            enc.copyBufferToBuffer(from.states, f[k] + src * bytes, to.states, dst[l]![k] + r * bytes, bytes);
      }
    });
  }

  /**
   * Samples `length` characters after `prime` with `seed`; `onChunk` receives them as they arrive (one
   * submit per SAMPLE_CHUNK characters). Draw i of Rng(seed) chooses character i, as on the CPU backend.
   */
  async sample(
    prime: Uint32Array,
    length: number,
    o: SampleOptions,
    seed: number,
    onChunk?: (tokens: Uint32Array) => void,
  ): Promise<Uint32Array> {
    checkSampleRequest(prime, o);
    const V = this.model.vocabSize;
    const pp = this.plan(prime.length, 1);
    const sp = this.plan(1, 1);
    const rng = new Rng(seed);
    // The sampled token goes straight into the sampling plan's input buffer: the next step embeds it.
    const { bufs, own } = sampleBuffers(this.device, sp.logits, sp.tokens, 1, V, SAMPLE_CHUNK);
    const fromPrime = this.sampler.prepare(
      1,
      V,
      (prime.length - 1) * V,
      { ...bufs, logits: pp.logits },
      o,
      1,
    );
    const step: SampleCall = this.sampler.prepare(1, V, 0, bufs, o, SAMPLE_CHUNK);
    const result = new Uint32Array(length);
    try {
      for (let done = 0; done < length;) {
        const n = Math.min(SAMPLE_CHUNK, length - done);
        this.device.queue.writeBuffer(
          bufs.draws,
          0,
          Float32Array.from({ length: n }, () => rng.next()),
        );
        this.device.queue.writeBuffer(sp.rows, 0, carryRows(1));
        const enc = this.device.createCommandEncoder({ label: 'GpuInference.sample' });
        let s = 0;
        if (done === 0) {
          this.forward(pp, prime, resetRows(1), enc);
          this.copyState(enc, pp, sp, 1, 0);
        }
        const pass = enc.beginComputePass({ label: 'GpuInference.sampleSteps' });
        if (done === 0) this.sampler.encodeSample(pass, fromPrime, s++);
        for (; s < n; s++) {
          encodeForward(pass, sp, this.kernels);
          this.sampler.encodeSample(pass, step, s);
        }
        pass.end();
        this.device.queue.submit([enc.finish()]);
        const chunk = new Uint32Array((await readFloats(this.device, bufs.out, n)).buffer.slice(0, n * 4));
        result.set(chunk, done);
        done += n;
        onChunk?.(chunk);
      }
    } finally {
      SampleKernel.destroy(fromPrime);
      SampleKernel.destroy(step);
      for (const b of own) b.destroy();
    }
    return result;
  }

  /** A Decoder for beam search with `width` rows. */
  decoder(width: number): Decoder {
    const bp = this.plan(1, width);
    return {
      start: async (prime) => {
        checkSampleRequest(prime);
        const pp = this.plan(prime.length, 1);
        const enc = this.device.createCommandEncoder({ label: 'GpuInference.beamPrime' });
        this.forward(pp, prime, resetRows(1), enc);
        this.copyState(enc, pp, bp, width, 0);
        return (await this.logProbs(pp, prime.length - 1, 1, enc)).logp;
      },
      next: async (tokens, parents) => {
        const enc = this.device.createCommandEncoder({ label: 'GpuInference.beamStep' });
        const inputs = new Uint32Array(width);
        inputs.set(tokens);
        const rows = carryRows(width);
        rows.set(parents);
        this.forward(bp, inputs, rows, enc);
        return (await this.logProbs(bp, 0, width, enc)).logp;
      },
      dispose: () => undefined,
    };
  }

  /**
   * Step-by-step decoding of an encoder–decoder model for B rows in windows of T (engine/taskDecoders.ts): D
   * small forwards instead of D whole windows.
   */
  taskDecoder(B: number, T: number): StepDecoder | null {
    if (!this.model.encoder) return null;
    const ctx: DecodeContext = {
      device: this.device,
      kernels: this.kernels,
      H: this.model.hiddenSize,
      V: outputsOf(this.model),
      sampler: this.sampler,
      plan: (t, b, split) => this.plan(t, b, split),
      forward: (p, inputs, rows, enc) => this.forward(p, inputs, rows, enc),
      logProbs: async (p, row0, rows, enc) => (await this.logProbs(p, row0, rows, enc)).logp,
      copyState: (enc, from, to, rows) => this.copyState(enc, from, to, rows),
    };
    return this.model.attention ? attentionDecoder(ctx, B, T) : carriedDecoder(ctx, B);
  }

  dispose(): void {
    for (const p of this.plans.values()) for (const b of p.buffers) b.destroy();
    this.plans.clear();
  }
}
