// What the language-model backends (GPU engine, CPU reference) share above the kernels: the layout of a
// validation pass, the option checks of the samplers, and beam search, written once over a Decoder that a
// backend implements with its own forward pass.
import type { SampleOptions } from '../reference/sampling';

export type { SampleOptions } from '../reference/sampling';

/** Steps a model one character at a time over W rows (beams); each call returns log-probs (W, V). */
export interface Decoder {
  /** Runs the prime on one row and returns the log-probabilities of the next character (1, V). */
  start(prime: Uint32Array): Promise<Float64Array>;
  /** Row b continues from row parents[b] of the previous call and reads tokens[b]; returns (W, V). */
  next(tokens: Uint32Array, parents: Uint32Array): Promise<Float64Array>;
  dispose(): void;
}

/** A finished beam: its characters and log-probability (total and per character). */
export interface Beam {
  tokens: Uint32Array;
  logProb: number;
  /** logProb / length: what beams are reported by; all beams have the same length (no end token). */
  score: number;
}

/**
 * Beam search of `length` characters after `prime`, keeping `width` beams; returns them best first. Ties
 * go to the lower (beam, character) index, so the result is deterministic.
 */
export async function beamSearch(
  decoder: Decoder,
  prime: Uint32Array,
  width: number,
  length: number,
  V: number,
): Promise<Beam[]> {
  let lp = await decoder.start(prime);
  let beams: { tokens: number[]; logProb: number }[] = [{ tokens: [], logProb: 0 }];
  for (let step = 0; step < length; step++) {
    const cands: { parent: number; v: number; logProb: number }[] = [];
    beams.forEach((b, i) => {
      for (let v = 0; v < V; v++) cands.push({ parent: i, v, logProb: b.logProb + lp[i * V + v]! });
    });
    // Stable sort: equal scores keep (beam, character) order.
    cands.sort((a, b) => b.logProb - a.logProb);
    const keep = cands.slice(0, width);
    beams = keep.map((c) => ({ tokens: [...beams[c.parent]!.tokens, c.v], logProb: c.logProb }));
    if (step + 1 < length)
      lp = await decoder.next(
        Uint32Array.from(keep, (c) => c.v),
        Uint32Array.from(keep, (c) => c.parent),
      );
  }
  return beams.map((b) => ({
    tokens: Uint32Array.from(b.tokens),
    logProb: b.logProb,
    score: b.logProb / Math.max(1, length),
  }));
}

/** Every problem with sampling options; empty when valid. */
export function validateSampling(o: SampleOptions): string[] {
  const errors: string[] = [];
  if (!Number.isFinite(o.temperature) || o.temperature < 0 || o.temperature > 100)
    errors.push(`Temperature must be between 0 (greedy) and 100 (got ${o.temperature}).`);
  if (!Number.isInteger(o.topK) || o.topK < 0)
    errors.push(`Top-k must be a whole number ≥ 0 (got ${o.topK}).`);
  if (!Number.isFinite(o.topP) || o.topP <= 0 || o.topP > 1)
    errors.push(`Top-p must be above 0 and at most 1 (got ${o.topP}).`);
  return errors;
}

/** Throws the problems with a sampling request (both backends check the same way, before any work). */
export function checkSampleRequest(prime: Uint32Array, o?: SampleOptions): void {
  const problems = o ? validateSampling(o) : [];
  if (prime.length === 0) problems.push('Sampling needs at least one character of prime text.');
  if (problems.length) throw new Error(problems.join(' '));
}

/** How a validation pass cuts a split: B streams of `streamLength` predictions, windows of T. */
export interface EvalLayout {
  T: number;
  B: number;
  streamLength: number;
  windows: number;
  /** Predictions scored (every character after the first). */
  count: number;
}

export function evalLayout(n: number, T: number, B: number): EvalLayout {
  const count = Math.max(0, n - 1);
  const streamLength = Math.max(1, Math.ceil(count / B));
  return { T, B, streamLength, windows: Math.ceil(streamLength / T), count };
}

/**
 * Window w of a validation pass, t-major like training batches. Positions past a stream's end (or the
 * split's) get target V: padding, scored 0 and not counted. Streams continue across windows (carry).
 */
export function evalWindow(tokens: Uint32Array, lay: EvalLayout, w: number, V: number) {
  const { T, B, streamLength: Ls, count } = lay;
  const inputs = new Uint32Array(T * B);
  const targets = new Uint32Array(T * B).fill(V);
  for (let b = 0; b < B; b++) {
    for (let t = 0; t < T; t++) {
      const k = w * T + t;
      const pos = b * Ls + k;
      if (k >= Ls || pos >= count) continue;
      inputs[t * B + b] = tokens[pos]!;
      targets[t * B + b] = tokens[pos + 1]!;
    }
  }
  return { inputs, targets };
}

/** The mean validation loss in nats and bits per character. */
export interface EvalResult {
  nats: number;
  bits: number;
  chars: number;
}

export function evalResult(sum: number, count: number): EvalResult {
  const nats = count ? sum / count : NaN;
  return { nats, bits: nats / Math.LN2, chars: count };
}
