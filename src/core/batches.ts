// char-rnn style batching: the token sequence is cut into B contiguous streams; iteration i reads window i
// (T inputs and the T following targets) from every stream, so consecutive windows of one stream continue
// each other (what carrying the hidden state across iterations relies on). At the end of the streams the
// epoch ends and reading starts over.

import { Rng } from './rng';

/** A target that is not trained on (padding, or a step of a sequence task without a label). */
export const NO_TARGET = 0xffffffff;

/** One window of B streams × T characters, t-major: index t·B + b. Targets are the following characters. */
export interface TokenBatch {
  inputs: Uint32Array;
  /** Classes to predict at each (t, b); NO_TARGET where nothing is predicted. */
  targets: Uint32Array;
  /** The streams restart here: a trainer that carries state across windows resets it. */
  startsEpoch?: boolean;
  /** Targets that are not NO_TARGET, which the loss is averaged over; default every position (T·B). */
  count?: number;
  /** Encoder–decoder models: steps [0, split) are the source the encoder reads (core/params.ts segmentsOf). */
  split?: number;
  /** Bidirectional models: what the reverse direction reads (see `reverseOf`). */
  reverse?: { inputs: Uint32Array; map: Uint32Array };
}

/**
 * The reverse direction's input for sequences of `lengths` (right-padded in a (T, B) window): each sequence's
 * tokens last to first, then its padding unchanged; and `map`, the reverse output row the head reads at each
 * position — the mirrored step of the same sequence when every step is labelled (`perStep`, tagging), the same
 * row otherwise (a label at the last step reads the reverse state after the whole sequence). Bijective.
 */
export function reverseOf(
  inputs: ArrayLike<number>,
  lengths: readonly number[],
  T: number,
  B: number,
  perStep: boolean,
): { inputs: Uint32Array; map: Uint32Array } {
  const rev = Uint32Array.from(inputs);
  const map = Uint32Array.from({ length: T * B }, (_, n) => n);
  lengths.forEach((len, b) => {
    for (let s = 0; s < len; s++) {
      rev[s * B + b] = inputs[(len - 1 - s) * B + b] as number;
      if (perStep) map[s * B + b] = (len - 1 - s) * B + b;
    }
  });
  return { inputs: rev, map };
}

export class StreamBatcher {
  /** Tokens per stream. */
  readonly streamLength: number;
  /** Windows per epoch. */
  readonly windowsPerEpoch: number;
  private window = 0;
  epoch = 0;

  constructor(
    private readonly tokens: Uint32Array,
    readonly batchSize: number,
    readonly seqLen: number,
  ) {
    this.streamLength = Math.floor(tokens.length / batchSize);
    this.windowsPerEpoch = Math.floor((this.streamLength - 1) / seqLen);
    if (this.windowsPerEpoch < 1) {
      throw new Error(
        `The text has ${tokens.length} characters: too short for ${batchSize} streams of ${seqLen + 1} characters (batch × (BPTT length + 1) = ${batchSize * (seqLen + 1)}). Use a longer text or a smaller batch or BPTT length.`,
      );
    }
  }

  /** Where reading stands: the epoch and the next window in it (checkpoints save and restore it). */
  get position(): { epoch: number; window: number } {
    return { epoch: this.epoch, window: this.window };
  }

  set position(p: { epoch: number; window: number }) {
    if (!Number.isInteger(p.window) || p.window < 0 || p.window >= this.windowsPerEpoch)
      throw new Error(`Batch position: window ${p.window} is outside 0…${this.windowsPerEpoch - 1}`);
    this.epoch = p.epoch;
    this.window = p.window;
  }

  /** The next window; `startsEpoch` is true on the first window of each epoch (streams restart). */
  next(): TokenBatch & { startsEpoch: boolean } {
    const { batchSize: B, seqLen: T } = this;
    const inputs = new Uint32Array(T * B);
    const targets = new Uint32Array(T * B);
    const startsEpoch = this.window === 0;
    for (let b = 0; b < B; b++) {
      const base = b * this.streamLength + this.window * T;
      for (let t = 0; t < T; t++) {
        inputs[t * B + b] = this.tokens[base + t] as number;
        targets[t * B + b] = this.tokens[base + t + 1] as number;
      }
    }
    this.window++;
    if (this.window >= this.windowsPerEpoch) {
      this.window = 0;
      this.epoch++;
    }
    return { inputs, targets, startsEpoch };
  }
}

/**
 * A sequence-task batch (issue 9): each sequence b has a random length and one of O labels at its last step
 * (many-to-one), or a tag at every real step (`tagged`); everything else is NO_TARGET, and the loss averages
 * over the labelled positions only.
 */
export function randomTaskBatch(
  V: number,
  O: number,
  T: number,
  B: number,
  seed: number,
  tagged = false,
  withReverse = false,
): TokenBatch {
  const rng = new Rng(seed);
  const inputs = Uint32Array.from({ length: T * B }, () => rng.int(V));
  const targets = new Uint32Array(T * B).fill(NO_TARGET);
  let count = 0;
  const lengths: number[] = [];
  for (let b = 0; b < B; b++) {
    const len = 1 + rng.int(T);
    lengths.push(len);
    for (let t = tagged ? 0 : len - 1; t < len; t++, count++) targets[t * B + b] = rng.int(O);
  }
  const reverse = withReverse ? { reverse: reverseOf(inputs, lengths, T, B, tagged) } : {};
  return { inputs, targets, count, startsEpoch: true, ...reverse };
}

/**
 * An encoder–decoder window: steps [0, split) are source tokens (the encoder's vocabulary of `Vs`), the rest
 * decoder inputs of V tokens with a target each (some left unlabelled, like a shorter output's padding).
 */
export function encoderDecoderBatch(
  Vs: number,
  V: number,
  T: number,
  B: number,
  split: number,
  seed: number,
): TokenBatch {
  const rng = new Rng(seed);
  const inputs = Uint32Array.from({ length: T * B }, (_, i) => rng.int(i < split * B ? Vs : V));
  const targets = Uint32Array.from({ length: T * B }, (_, i) =>
    i < split * B || rng.uniform(0, 1) < 0.2 ? NO_TARGET : rng.int(V),
  );
  const count = Math.max(1, targets.filter((y) => y !== NO_TARGET).length);
  return { inputs, targets, count, split, startsEpoch: true };
}
