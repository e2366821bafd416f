// Encoder–decoder tasks (seq2seq, generate; issue 9) on one engine window: the source fills steps [0, S) for
// the encoder, then the decoder reads END (as "begin") and the output, predicting the output and END (teacher
// forcing). Batches hold examples of one source length, so the encoder's last step is every row's last real
// input and the hand-off state is exact (no padding inside the encoder); shorter outputs pad the decoder's
// tail, unlabelled. Decoding (greedy, beam) goes one output token at a time through a StepDecoder: the GPU
// runs one decoder step per token from each row's carried state (GpuInference.taskDecoder); where a backend
// cannot (the CPU reference with attention), windowDecoder re-runs the whole window with the tokens chosen so
// far — the decoder is causal, so position k's distribution depends only on what came before it.
import { NO_TARGET, type TokenBatch } from '../core/batches';
import { END, type Example, type TaskKind } from '../core/tasks';
import type { Prediction } from './taskTypes';

/** Log-probabilities (T·B, O) of a window of tokens whose first `split` steps are the source. */
export type WindowLogProbs = (inputs: Uint32Array, split: number) => Promise<Float64Array>;

/**
 * Decoding one output token per call. `start` runs the encoder over the sources and the decoder's first step
 * (END): `prompt` is (split + 1)·B tokens, t-major. `next` advances every row one step: row b continues from
 * row parents[b] of the previous call (beam search reorders its beams; greedy keeps rows in place) and reads
 * tokens[b]. Both return the (B, O) log-probabilities of the step they ran.
 */
export interface StepDecoder {
  start(prompt: Uint32Array, split: number): Promise<Float64Array>;
  next(tokens: Uint32Array, parents: Uint32Array): Promise<Float64Array>;
  /**
   * Greedy decoding of up to `steps` tokens, where the backend chooses each token itself (the GPU's argmax
   * feeding the next step: a submit per few tokens instead of a round trip per token). Same choice as greedy
   * over start/next (the likeliest token, the lowest index on ties) and its log-probability. It may stop
   * once rows [0, live) have all chosen END (the rest are padding); steps not run read as END.
   */
  greedy?(prompt: Uint32Array, split: number, steps: number, live: number): Promise<GreedyRun>;
}

/** Tokens chosen at each step and their log-probabilities, (steps, B) t-major. */
export interface GreedyRun {
  tokens: Uint32Array;
  logProbs: Float32Array;
}

/**
 * A StepDecoder that re-runs the whole window of T steps with each row's tokens so far: the reference's way
 * for attention models, and the oracle the step decoders are tested against.
 */
export function windowDecoder(logProbs: WindowLogProbs, T: number, B: number, O: number): StepDecoder {
  let window = new Uint32Array(T * B);
  let split = 0;
  let t = 0;
  const rowsAt = (logp: Float64Array) => logp.slice(t * B * O, (t + 1) * B * O);
  return {
    async start(prompt, s) {
      window = new Uint32Array(T * B);
      window.set(prompt);
      split = s;
      t = s;
      return rowsAt(await logProbs(window, split));
    },
    async next(tokens, parents) {
      if (t + 1 >= T) throw new Error(`Decoding past the window of ${T} steps.`);
      const prev = window.slice();
      for (let u = 0; u <= t; u++) for (let b = 0; b < B; b++) window[u * B + b] = prev[u * B + parents[b]!]!;
      t++;
      window.set(tokens.subarray(0, B), t * B);
      return rowsAt(await logProbs(window, split));
    },
  };
}

/** Rows that stay in place from step to step (greedy decoding). */
function inPlace(B: number): Uint32Array {
  return Uint32Array.from({ length: B }, (_, b) => b);
}

/** One decoded output: its tokens (END excluded) and the log-probability of tokens + END. */
export interface Decoded {
  text: string;
  logProb: number;
}

export class Seq2SeqCodec {
  /** The encoder's tokens: input characters (seq2seq) or whole labels (generate, one token per input). */
  readonly sources: string[];
  /** The decoder's tokens and head rows: END, then the output characters. */
  readonly targets: string[];
  /** Longest source, in tokens. */
  readonly S: number;
  /** Decoder steps: the longest output + 1 (END). */
  readonly D: number;
  /** The window: S + D. */
  readonly T: number;
  private readonly sourceIndex: Map<string, number>;
  private readonly targetIndex: Map<string, number>;

  constructor(
    readonly kind: TaskKind,
    examples: readonly Example[],
    targets: string[],
    sources?: string[],
  ) {
    this.sources = sources ?? [...new Set(examples.flatMap((e) => this.sourceParts(e.input)))].sort();
    this.targets = targets;
    this.sourceIndex = new Map(this.sources.map((c, i) => [c, i]));
    this.targetIndex = new Map(targets.map((c, i) => [c, i]));
    this.S = Math.max(...examples.map((e) => this.sourceLength(e.input)));
    this.D = Math.max(...examples.map((e) => [...e.target].length)) + 1;
    this.T = this.S + this.D;
  }

  /** What the encoder reads of an input, a step each: its characters, or a label whole. */
  sourceParts(input: string): string[] {
    return this.kind === 'generate' ? [input] : [...input];
  }

  sourceLength(input: string): number {
    return this.sourceParts(input).length;
  }

  /** Encoder tokens of an input; throws naming a token the model has never seen. */
  sourceTokens(input: string): number[] {
    return this.sourceParts(input).map((c) => {
      const i = this.sourceIndex.get(c);
      if (i === undefined)
        throw new Error(
          this.kind === 'generate'
            ? `"${input}" is not one of the model's inputs (${this.sources.slice(0, 8).join(', ')}${this.sources.length > 8 ? ', …' : ''}).`
            : `The model has never seen the character ${JSON.stringify(c)}.`,
        );
      return i;
    });
  }

  private targetToken(c: string): number {
    const i = this.targetIndex.get(c);
    if (i === undefined) throw new Error(`"${c}" is not one of the model's output characters`);
    return i;
  }

  /** Checks that a batch's inputs fit: one source length, at most S tokens each. */
  private splitOf(inputs: readonly string[]): number {
    const lengths = new Set(inputs.map((x) => this.sourceLength(x)));
    if (lengths.size !== 1) throw new Error('An encoder–decoder batch holds inputs of one length.');
    const split = [...lengths][0]!;
    if (split < 1 || split > this.S)
      throw new Error(`Inputs must have 1 to ${this.S} characters (the longest training input).`);
    return split;
  }

  /**
   * Up to B examples of one source length as a (T, B) window, t-major: sources, END, the output (teacher
   * forcing) with targets output + END; rows past the examples are padding without targets.
   */
  encode(batch: readonly Example[], B: number): TokenBatch & { split: number } {
    const split = this.splitOf(batch.map((e) => e.input));
    const inputs = new Uint32Array(this.T * B);
    const targets = new Uint32Array(this.T * B).fill(NO_TARGET);
    let count = 0;
    batch.forEach((e, b) => {
      this.sourceTokens(e.input).forEach((tok, t) => (inputs[t * B + b] = tok));
      const out = [...e.target].map((c) => this.targetToken(c));
      out.forEach((tok, i) => {
        inputs[(split + 1 + i) * B + b] = tok;
        targets[(split + i) * B + b] = tok;
      });
      targets[(split + out.length) * B + b] = 0;
      count += out.length + 1;
    });
    return { inputs, targets, count: Math.max(1, count), split, startsEpoch: true };
  }

  /** Sources of `inputs` (one length), then END at the decoder's first step: (split + 1)·B tokens. */
  private prompt(inputs: readonly string[], B: number): { tokens: Uint32Array; split: number } {
    const split = this.splitOf(inputs);
    const tokens = new Uint32Array((split + 1) * B);
    inputs.forEach((x, b) => this.sourceTokens(x).forEach((tok, t) => (tokens[t * B + b] = tok)));
    return { tokens, split };
  }

  private text(tokens: readonly number[]): string {
    return tokens.map((t) => this.targets[t]!).join('');
  }

  /** Greedy decoding of up to B inputs of one length: the likeliest token at each step until END. */
  async greedy(inputs: readonly string[], B: number, dec: StepDecoder): Promise<Decoded[]> {
    const O = this.targets.length;
    const { tokens, split } = this.prompt(inputs, B);
    const out = inputs.map(() => ({ toks: [] as number[], logProb: 0, done: false }));
    if (dec.greedy) {
      // The backend ran all D steps; each output is its tokens up to END (or the window's end).
      const run = await dec.greedy(tokens, split, this.D, inputs.length);
      out.forEach((o, b) => {
        for (let k = 0; k < this.D && !o.done; k++) {
          const best = run.tokens[k * B + b]!;
          o.logProb += run.logProbs[k * B + b]!;
          if (best === 0 || k === this.D - 1) o.done = true;
          if (best !== 0) o.toks.push(best);
        }
      });
      return out.map((o) => ({ text: this.text(o.toks), logProb: o.logProb }));
    }
    let logp = await dec.start(tokens, split);
    for (let k = 0; ; k++) {
      const chosen = new Uint32Array(B);
      out.forEach((o, b) => {
        if (o.done) return;
        const row = logp.subarray(b * O, (b + 1) * O);
        let best = 0;
        for (let c = 1; c < O; c++) if (row[c]! > row[best]!) best = c;
        o.logProb += row[best]!;
        // The window ends after D decoder steps: an output that has not ended by then stops there.
        if (best === 0 || k === this.D - 1) o.done = true;
        if (best !== 0) o.toks.push(best);
        chosen[b] = best;
      });
      if (out.every((o) => o.done)) break;
      logp = await dec.next(chosen, inPlace(B));
    }
    return out.map((o) => ({ text: this.text(o.toks), logProb: o.logProb }));
  }

  /** Greedy decoding of any inputs, grouped into batches of one source length; answers in input order. */
  async decode(inputs: readonly string[], B: number, dec: StepDecoder): Promise<Decoded[]> {
    const answers = new Map<number, Decoded>();
    const indexed = inputs.map((x, i) => ({ x, i }));
    for (const chunk of chunksByLength(indexed, (e) => this.sourceLength(e.x), B)) {
      const decoded = await this.greedy(
        chunk.map((e) => e.x),
        B,
        dec,
      );
      chunk.forEach((e, b) => answers.set(e.i, decoded[b]!));
    }
    return inputs.map((_, i) => answers.get(i)!);
  }

  /**
   * The teacher-forced loss per output token, then greedy decoding of every example — character accuracy (in
   * place, over the longer of output and expected output) and exact matches of what a user would get — with
   * the first `shown` as predictions.
   */
  async evaluate(
    examples: readonly Example[],
    B: number,
    logProbs: WindowLogProbs,
    dec: StepDecoder,
    shown: number,
  ): Promise<{
    loss: number;
    accuracy: number;
    exact: number;
    predictions: Prediction[];
    byLength: { length: number; count: number; exact: number }[];
  }> {
    const O = this.targets.length;
    let loss = 0;
    let labelled = 0;
    for (const chunk of chunksByLength(examples, (e) => this.sourceLength(e.input), B)) {
      const enc = this.encode(chunk, B);
      const logp = await logProbs(enc.inputs, enc.split);
      enc.targets.forEach((y, r) => {
        if (y === NO_TARGET) return;
        loss -= logp[r * O + y]!;
        labelled++;
      });
    }
    const decoded = await this.decode(
      examples.map((e) => e.input),
      B,
      dec,
    );
    let chars = 0;
    let right = 0;
    let exact = 0;
    const predictions: Prediction[] = [];
    const lengths = new Map<number, { count: number; exact: number }>();
    examples.forEach((e, i) => {
      const predicted = decoded[i]!.text;
      const score = charScore(predicted, e.target);
      chars += score.of;
      right += score.right;
      const ok = predicted === e.target;
      if (ok) exact++;
      const len = this.sourceLength(e.input);
      const at = lengths.get(len) ?? { count: 0, exact: 0 };
      lengths.set(len, { count: at.count + 1, exact: at.exact + (ok ? 1 : 0) });
      if (predictions.length < shown)
        predictions.push({ input: e.input, target: e.target, predicted, correct: ok });
    });
    return {
      loss: loss / Math.max(1, labelled),
      accuracy: right / Math.max(1, chars),
      exact: exact / Math.max(1, examples.length),
      predictions,
      byLength: [...lengths.entries()]
        .sort((a, b) => a[0] - b[0])
        .map(([length, v]) => ({ length, count: v.count, exact: v.exact / v.count })),
    };
  }

  /**
   * Beam search for one input with `width` beams (one batch row each, width ≤ B): every step extends each
   * live beam by every token, keeps the `width` likeliest live ones, and sets aside those that chose END.
   * Returns up to `width` outputs, best first by length-normalised log-probability (per token, END counted).
   */
  async beam(input: string, width: number, B: number, dec: StepDecoder): Promise<Decoded[]> {
    if (!(Number.isInteger(width) && width >= 1 && width <= B))
      throw new Error(`Beam width must be a whole number from 1 to the batch size ${B}.`);
    const O = this.targets.length;
    const { tokens, split } = this.prompt(new Array<string>(width).fill(input), B);
    type Beam = { toks: number[]; logProb: number; parent: number; tok: number };
    let live: Beam[] = [{ toks: [], logProb: 0, parent: 0, tok: 0 }];
    const done: Beam[] = [];
    let logp = await dec.start(tokens, split);
    for (let k = 0; k < this.D; k++) {
      const next: Beam[] = [];
      live.forEach((bm, b) => {
        for (let c = 0; c < O; c++) {
          const cand = {
            toks: c === 0 ? bm.toks : [...bm.toks, c],
            logProb: bm.logProb + logp[b * O + c]!,
            parent: b,
            tok: c,
          };
          (c === 0 || k === this.D - 1 ? done : next).push(cand);
        }
      });
      live = next.sort((a, b) => b.logProb - a.logProb).slice(0, width);
      if (!live.length) break;
      const chosen = new Uint32Array(B);
      const parents = inPlace(B);
      live.forEach((bm, b) => ((chosen[b] = bm.tok), (parents[b] = bm.parent)));
      logp = await dec.next(chosen, parents);
    }
    const norm = (d: { toks: number[]; logProb: number }) => d.logProb / (d.toks.length + 1);
    return done
      .sort((a, b) => norm(b) - norm(a))
      .slice(0, width)
      .map((d) => ({ text: this.text(d.toks), logProb: d.logProb }));
  }
}

/**
 * Batches of one epoch: walks the (shuffled) order and fills one open batch per source length, emitting each
 * when it holds B examples; the partial ones follow at the end. Deterministic for a given order.
 */
export function bucketBatches(
  order: readonly number[],
  lengthOf: (i: number) => number,
  B: number,
): number[][] {
  const open = new Map<number, number[]>();
  const out: number[][] = [];
  for (const i of order) {
    const len = lengthOf(i);
    const batch = open.get(len) ?? [];
    batch.push(i);
    if (batch.length === B) {
      out.push(batch);
      open.delete(len);
    } else open.set(len, batch);
  }
  return [...out, ...open.values()];
}

/** Examples grouped by source length, each group cut into chunks of at most B (evaluation, predictions). */
export function chunksByLength<E>(items: readonly E[], lengthOf: (e: E) => number, B: number): E[][] {
  const groups = new Map<number, E[]>();
  for (const e of items) groups.set(lengthOf(e), [...(groups.get(lengthOf(e)) ?? []), e]);
  const out: E[][] = [];
  for (const g of groups.values()) for (let a = 0; a < g.length; a += B) out.push(g.slice(a, a + B));
  return out;
}

/**
 * Output characters right at their position, out of the longer of output and expected output (END excluded):
 * an extra or a missing character counts as wrong.
 */
export function charScore(predicted: string, target: string): { right: number; of: number } {
  const p = [...predicted];
  const t = [...target];
  return { right: t.filter((c, i) => p[i] === c).length, of: Math.max(p.length, t.length) };
}

export { END };
