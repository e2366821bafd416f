// CpuInference: the forward-only uses of a model on the float64 reference — the labelled CPU fallback of
// GpuInference and the oracle its tests compare against (same evaluation layout, same draws, same beams).
import { type ModelConfig, actCount, outputsOf } from '../core/config';
import { type ParamLayout, paramLayout } from '../core/params';
import { Rng } from '../core/rng';
import { softmaxXent } from '../reference/loss';
import { type InitialState, modelForward } from '../reference/model';
import type { ReverseInputs } from '../reference/bidirectional';
import { logSoftmax, sampleToken } from '../reference/sampling';
import type { BatchStates, Evaluation, Inspection } from './inference';
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

type State = { h: Float64Array[]; c: Float64Array[] };

export class CpuInference {
  readonly layout: ParamLayout;

  /** `params` is read at each call, so the inference follows a model still training. */
  constructor(
    private readonly model: ModelConfig,
    private readonly params: () => ArrayLike<number>,
  ) {
    this.layout = paramLayout(model);
  }

  /** Forward of (T, B) tokens from `initial` (or h0/c0); logits and the final state. */
  private run(
    inputs: ArrayLike<number>,
    T: number,
    B: number,
    initial?: InitialState,
    split = 0,
    reverse?: ReverseInputs,
  ) {
    const batch = { T, B, inputs, split, ...(reverse ? { reverse } : {}) };
    const f = modelForward(this.model, this.layout, this.params(), batch, initial);
    const BH = B * this.model.hiddenSize;
    const state: State = { h: f.hs.map((h) => h.slice(T * BH)), c: f.cs.map((c) => c.slice(T * BH)) };
    return { logits: f.logits, state };
  }

  /** Log-probabilities (T·B, O) for B sequences each from h0/c0 (GpuInference.batchLogProbs's twin). */
  async batchLogProbs(
    inputs: Uint32Array,
    T: number,
    B: number,
    split = 0,
    reverse?: ReverseInputs,
  ): Promise<Float64Array> {
    if (inputs.length !== T * B) throw new Error(`batchLogProbs: expected ${T * B} tokens`);
    const O = outputsOf(this.model);
    const { logits } = this.run(inputs, T, B, undefined, split, reverse);
    const out = new Float64Array(T * B * O);
    for (let r = 0; r < T * B; r++) out.set(logSoftmax(logits.subarray(r * O, (r + 1) * O)), r * O);
    return out;
  }

  /** Top-layer (and reverse) states (T, B, H) and row 0's gates, GpuInference.batchStates's twin. */
  async batchStates(
    inputs: Uint32Array,
    T: number,
    B: number,
    split = 0,
    reverse?: ReverseInputs,
  ): Promise<BatchStates> {
    const batch = { T, B, inputs, split, ...(reverse ? { reverse } : {}) };
    const f = modelForward(this.model, this.layout, this.params(), batch);
    const BH = B * this.model.hiddenSize;
    const AH = actCount(this.model.cell) * this.model.hiddenSize;
    const top = Float32Array.from(f.hs[f.hs.length - 1]!.subarray(BH));
    const all = f.acts[f.acts.length - 1]!;
    const acts = new Float32Array(T * AH);
    for (let t = 0; t < T; t++) acts.set(all.subarray(t * B * AH, t * B * AH + AH), t * AH);
    return {
      top,
      acts,
      ...(f.reverse ? { reverse: Float32Array.from(f.reverse.layer.h.subarray(BH)) } : {}),
    };
  }

  /** Attention weights (T, B, S), GpuInference.alignment's twin. */
  async alignment(inputs: Uint32Array, T: number, B: number, split: number): Promise<Float64Array> {
    const f = modelForward(this.model, this.layout, this.params(), { T, B, inputs, split });
    if (!f.attention) throw new Error('alignment: this model has no attention');
    const out = new Float64Array(T * B * split);
    f.attention.steps.forEach((st, i) => out.set(st.a, (split + i) * B * split));
    return out;
  }

  startEvaluation(tokens: Uint32Array, T: number, B: number): Evaluation {
    const V = this.model.vocabSize;
    const lay = evalLayout(tokens.length, T, B);
    let w = 0;
    let sum = 0;
    let state: State | undefined;
    let finish!: (r: EvalResult) => void;
    const result = new Promise<EvalResult>((res) => (finish = res));
    const step = (): boolean => {
      if (w >= lay.windows) return false;
      const win = evalWindow(tokens, lay, w, V);
      const r = this.run(win.inputs, T, B, state);
      state = r.state;
      sum += softmaxXent(T * B, V, r.logits, win.targets).losses.reduce((a, b) => a + b, 0);
      if (++w === lay.windows) finish(evalResult(sum, lay.count));
      return true;
    };
    if (lay.count === 0) finish(evalResult(0, 0));
    return { windows: lay.count ? lay.windows : 0, step, result };
  }

  async evaluate(tokens: Uint32Array, T: number, B: number): Promise<EvalResult> {
    const ev = this.startEvaluation(tokens, T, B);
    while (ev.step());
    return ev.result;
  }

  async probe(tokens: Uint32Array): Promise<Float32Array> {
    const V = this.model.vocabSize;
    const { logits } = this.run(tokens, tokens.length, 1);
    const out = new Float32Array(tokens.length * V);
    for (let t = 0; t < tokens.length; t++)
      out.set(logSoftmax(logits.subarray(t * V, (t + 1) * V)).map(Math.exp), t * V);
    return out;
  }

  async inspect(tokens: Uint32Array): Promise<Inspection> {
    const T = tokens.length;
    if (T === 0) throw new Error('inspect: the probe text is empty');
    const m = this.model;
    const H = m.hiddenSize;
    const V = m.vocabSize;
    const f = modelForward(m, this.layout, this.params(), { T, B: 1, inputs: tokens });
    const logp = new Float32Array(T * V);
    for (let t = 0; t < T; t++) logp.set(logSoftmax(f.logits.subarray(t * V, (t + 1) * V)), t * V);
    return {
      T,
      H,
      A: actCount(m.cell),
      h: f.hs.map((x) => Float32Array.from(x.subarray(H))),
      c: f.cs.map((x) => Float32Array.from(x.subarray(H))),
      gates: f.acts.map((x) => Float32Array.from(x)),
      logp,
    };
  }

  /** Same draws as the GPU sampler: draw i of Rng(seed), rounded to f32, chooses character i. */
  async sample(
    prime: Uint32Array,
    length: number,
    o: SampleOptions,
    seed: number,
    onChunk?: (tokens: Uint32Array) => void,
  ): Promise<Uint32Array> {
    checkSampleRequest(prime, o);
    const V = this.model.vocabSize;
    const rng = new Rng(seed);
    let r = this.run(prime, prime.length, 1);
    let row = r.logits.subarray((prime.length - 1) * V);
    const out = new Uint32Array(length);
    for (let i = 0; i < length; i++) {
      const tok = sampleToken(row, o, Math.fround(rng.next()));
      out[i] = tok;
      onChunk?.(out.subarray(i, i + 1));
      if (i + 1 < length) {
        r = this.run([tok], 1, 1, r.state);
        row = r.logits;
      }
    }
    return out;
  }

  decoder(width: number): Decoder {
    const V = this.model.vocabSize;
    let state: State | undefined;
    return {
      start: async (prime) => {
        checkSampleRequest(prime);
        const r = this.run(prime, prime.length, 1);
        state = r.state;
        return logSoftmaxRows(r.logits.subarray((prime.length - 1) * V), 1, V);
      },
      next: async (tokens, parents) => {
        const inputs = new Uint32Array(width);
        inputs.set(tokens);
        const r = this.run(inputs, 1, width, gather(state!, parents, this.model.hiddenSize));
        state = r.state;
        return logSoftmaxRows(r.logits, width, V);
      },
      dispose: () => undefined,
    };
  }

  /**
   * GpuInference.taskDecoder's twin without attention: the encoder and first decoder step, then one-step
   * decoder windows. Null with attention (the caller re-runs the window: the reference keeps no plan).
   */
  taskDecoder(B: number): StepDecoder | null {
    if (!this.model.encoder || this.model.attention) return null;
    const O = outputsOf(this.model);
    let state: State | undefined;
    return {
      start: async (prompt, split) => {
        const r = this.run(prompt, split + 1, B, undefined, split);
        state = r.state;
        return logSoftmaxRows(r.logits.subarray(split * B * O), B, O);
      },
      next: async (tokens, parents) => {
        const r = this.run(tokens, 1, B, gather(state!, parents, this.model.hiddenSize), 0);
        state = r.state;
        return logSoftmaxRows(r.logits, B, O);
      },
    };
  }
}

/** Log-softmax of the first `n` rows of `logits` (rows of V). */
function logSoftmaxRows(logits: Float64Array, n: number, V: number): Float64Array {
  const out = new Float64Array(n * V);
  for (let b = 0; b < n; b++) out.set(logSoftmax(logits.subarray(b * V, (b + 1) * V)), b * V);
  return out;
}

/** Row b of the result is row parents[b] of `state`, every layer (h and c). */
function gather(state: State, parents: ArrayLike<number>, H: number): State {
  const pick = (x: Float64Array) => {
    const o = new Float64Array(parents.length * H);
    for (let b = 0; b < parents.length; b++) o.set(x.subarray(parents[b]! * H, (parents[b]! + 1) * H), b * H);
    return o;
  };
  return { h: state.h.map(pick), c: state.c.map(pick) };
}
