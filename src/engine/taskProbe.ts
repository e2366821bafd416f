// A task model seen from inside over one example, for the playground (issue 9): the top layer's hidden
// states (first 64 units) at each step the window ran for it — the input characters, then for an
// encoder–decoder START and the teacher-forced output — with, for a bidirectional model, the reverse
// direction's states at the same positions (having read from the end back to there); the top layer's gates
// (forward direction); and, for attention
// models, where each output step looked.
import type { TokenBatch } from '../core/batches';
import { type ModelConfig, type TrainConfig, actCount } from '../core/config';
import type { Example } from '../core/tasks';
import type { CpuInference } from './cpuInference';
import type { GpuInference } from './inference';
import type { Seq2SeqCodec } from './seq2seqTask';
import type { Decoded } from './seq2seqTask';
import type { Alignment, ProbeStates } from './taskTypes';

const MAX_UNITS = 64;

interface ProbedModel {
  readonly model: ModelConfig;
  readonly train: TrainConfig;
  readonly T: number;
  readonly codec: Seq2SeqCodec | null;
  encode(batch: readonly Example[], B?: number): TokenBatch;
  decode(inputs: readonly string[], frozen?: GpuInference | CpuInference): Promise<Decoded[]>;
}

/** Examples the unit finder reads (the first included): enough steps for a steady correlation. */
export const PROBE_LINES = 8;

/**
 * The validation examples probed together, in one batch: the first, then up to PROBE_LINES − 1 more — for an
 * encoder–decoder (`sourceLength`: the encoder steps an input takes) only those as long as the first (a
 * batch's inputs share the encoder's steps: Seq2SeqCodec.encode refuses a batch of several lengths).
 */
export function probeExamples(
  valSet: readonly Example[],
  B: number,
  sourceLength: ((input: string) => number) | null,
): Example[] {
  const n = sourceLength?.(valSet[0]!.input);
  const alike = sourceLength ? valSet.filter((e) => sourceLength(e.input) === n) : valSet;
  return alike.slice(0, Math.min(PROBE_LINES, B));
}

/** What step t of example `e` read: its characters, then for an encoder–decoder START and the output. */
function labelsOf(m: ProbedModel, e: Example): string[] {
  const labels = m.codec ? [...m.codec.sourceParts(e.input), 'START', ...e.target] : [...e.input];
  return labels.slice(0, m.T);
}

export async function probeStates(
  m: ProbedModel,
  examples: readonly Example[],
  frozen: GpuInference | CpuInference,
): Promise<ProbeStates> {
  const B = m.train.batchSize;
  const H = m.model.hiddenSize;
  const enc = m.encode(examples, B);
  const { top, acts, reverse } = await frozen.batchStates(enc.inputs, m.T, B, enc.split ?? 0, enc.reverse);
  const units = Math.min(H, MAX_UNITS);
  // Row b's states at its steps; the reverse direction's at the same positions (it ran from the row's end).
  const lines = examples.map((e, b) => {
    const labels = labelsOf(m, e);
    const steps = labels.length;
    const forward = new Float32Array(steps * units);
    const back = reverse ? new Float32Array(steps * units) : undefined;
    for (let t = 0; t < steps; t++)
      for (let j = 0; j < units; j++) {
        forward[t * units + j] = top[(t * B + b) * H + j]!;
        if (back && reverse) back[t * units + j] = reverse[((steps - 1 - t) * B + b) * H + j]!;
      }
    return { labels, forward, ...(back ? { reverse: back } : {}) };
  });
  const steps = lines[0]!.labels.length;
  // The gates' activations (LSTM i, f, g, o; GRU r, z, n — its fourth, W_hn·h, is not a gate; RNN none).
  const A = actCount(m.model.cell);
  const gates = Array.from(
    { length: m.model.cell === 'gru' ? 3 : m.model.cell === 'rnn' ? 0 : A },
    (_, g) => {
      const out = new Float32Array(steps * units);
      for (let t = 0; t < steps; t++)
        out.set(acts.subarray(t * A * H + g * H, t * A * H + g * H + units), t * units);
      return out;
    },
  );
  return { units, gates, lines };
}

/**
 * Attention models: where each output step looked while writing `input`'s greedy answer — `output` when the
 * caller has decoded it already (an evaluation has), else decoded here.
 */
export async function attend(
  m: ProbedModel,
  input: string,
  frozen: GpuInference | CpuInference,
  output?: string,
): Promise<Alignment> {
  const codec = m.codec;
  if (!codec || !m.model.attention) throw new Error('This model has no attention.');
  const B = m.train.batchSize;
  const text = output ?? (await m.decode([input], frozen))[0]!.text;
  const chars = [...text];
  const enc = codec.encode([{ input, target: text }], B);
  const S = enc.split;
  const a = await frozen.alignment(enc.inputs, m.T, B, S);
  const steps = Math.min(chars.length + 1, m.T - S);
  return {
    input: codec.kind === 'generate' ? [input] : [...input],
    output: [...chars, 'END'].slice(0, steps),
    weights: Array.from({ length: steps }, (_, k) =>
      Array.from(a.subarray((S + k) * B * S, (S + k) * B * S + S)),
    ),
  };
}
