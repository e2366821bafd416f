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

export async function probeStates(
  m: ProbedModel,
  e: Example,
  frozen: GpuInference | CpuInference,
): Promise<ProbeStates> {
  const B = m.train.batchSize;
  const H = m.model.hiddenSize;
  const enc = m.encode([e], B);
  const { top, acts, reverse } = await frozen.batchStates(enc.inputs, m.T, B, enc.split ?? 0, enc.reverse);
  const source = m.codec?.kind === 'generate' ? [e.input] : [...e.input];
  const labels = (m.codec ? [...source, 'START', ...e.target] : source).slice(0, m.T);
  const units = Math.min(H, MAX_UNITS);
  const steps = labels.length;
  const forward = new Float32Array(steps * units);
  const back = reverse ? new Float32Array(steps * units) : undefined;
  for (let t = 0; t < steps; t++)
    for (let j = 0; j < units; j++) {
      forward[t * units + j] = top[t * B * H + j]!;
      if (back && reverse) back[t * units + j] = reverse[(steps - 1 - t) * B * H + j]!;
    }
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
  return { labels, units, forward, gates, ...(back ? { reverse: back } : {}) };
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
