// Memory estimate of a configuration, computed before anything is allocated: the UI shows it and the
// engine refuses configurations whose largest buffer the adapter cannot bind.
import { type ModelConfig, type TrainConfig, gateCount } from '../core/config';
import { paramLayout } from '../core/params';

export interface MemoryEstimate {
  /** Floats in parameters, gradients and optimiser state (4 flat buffers). */
  paramFloats: number;
  /** Floats in activation and scratch buffers for one (T, B). */
  activationFloats: number;
  /** The largest single buffer, in floats. */
  largestBuffer: number;
  bytes: number;
}

export function estimateActivationFloats(m: ModelConfig, t: TrainConfig): MemoryEstimate {
  const T = t.seqLen;
  const B = t.batchSize;
  const N = T * B;
  const H = m.hiddenSize;
  const E = m.embedSize;
  const V = m.vocabSize;
  const G = gateCount(m.cell);
  const A = m.cell === 'rnn' ? 1 : 4;
  const sizes = [
    N * E,
    N * G * H,
    ...Array.from({ length: m.layers }, () => 2 * (T + 1) * B * H),
    ...Array.from({ length: m.layers }, () => N * A * H),
    N * V,
    N * V,
    N * Math.max(H, E),
    2 * N * G * H,
    2 * B * H + N * H + (m.cell === 'lstm-peephole' ? 3 * N * H : 0),
    5 * N,
  ];
  const paramFloats = 4 * paramLayout(m).totalSize;
  const activationFloats = sizes.reduce((a, b) => a + b, 0);
  return {
    paramFloats,
    activationFloats,
    largestBuffer: Math.max(...sizes, paramFloats / 4),
    bytes: 4 * (paramFloats + activationFloats),
  };
}
