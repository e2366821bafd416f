// The size of every buffer of one training iteration, computed before anything is allocated. The plan
// allocates exactly these sizes (engine/plan.ts), the engine refuses configurations whose largest buffer
// the adapter cannot bind, and the total is the memory estimate a UI can show before training.
import { type ModelConfig, type TrainConfig, gateCount, outputsOf } from '../core/config';
import { type MatmulSpec, matmulSpec as spec, splitFloats } from '../core/matmul';
import { paramLayout } from '../core/params';
import { columnSumScratch } from '../gpu/kernels/columnSum';
import { STATS } from '../gpu/kernels/gradNorm';
import { cellBufferFloats } from '../gpu/kernels/recurrentCell';

/** Floats of each activation buffer for one (T, B); per-layer buffers have one entry per layer. */
export interface PlanSizes {
  tokens: number;
  targets: number;
  /** (N, E) embedded inputs */
  x0: number;
  /** (N, G·H) input projection, shared by the layers */
  gx: number;
  /** per layer (2, T+1, B, H): [h; c] */
  states: number[];
  /** per layer (N, A·H) saved gate activations */
  act: number[];
  logits: number;
  dlogits: number;
  losses: number;
  /** (N, max(H, E)) gradient arriving from above */
  dabove: number;
  /** (2, N, G·H): [dgx; dgh] */
  dg: number;
  /** carry_h (B,H) · carry_c (B,H) · dh_full (N,H) · dpeep (N,3H) for peepholes */
  scratch: number;
  /** partial sums of the bias/peephole column sums */
  colsumPartials: number;
  /** partial products of the split-K weight-gradient GEMMs (core/matmul.ts splitOf), shared by all */
  splitPartials: number;
  /** loss, norms, clip factor, flag, per-tensor norms, ‖dh_t‖ (L·T) */
  stats: number;
}

/**
 * The weight-gradient GEMMs of the stack and the head over N positions: dW_ih, dW_hh per layer, dW_head.
 * (Attention's and the reverse layer's split too when their partials fit in what these need.)
 */
function weightGradSpecs(m: ModelConfig, N: number): MatmulSpec[] {
  const GH = gateCount(m.cell) * m.hiddenSize;
  const grad = (rows: number, cols: number) => spec(rows, cols, N, { transA: true, accumulate: true });
  const head = grad(outputsOf(m), (m.bidirectional ? 2 : 1) * m.hiddenSize);
  const layers = Array.from({ length: m.layers }, (_, l) => [
    grad(GH, l === 0 ? m.embedSize : m.hiddenSize),
    grad(GH, m.hiddenSize),
  ]);
  return [head, ...layers.flat()];
}

/**
 * With `forwardOnly`, the buffers only backward reads shrink to one-float placeholders; `transposed`: scratch
 * holds W_hhᵀ for subgroup backward tiles (G·H² floats more than the estimate before tuning counts).
 */
export function planSizes(
  m: ModelConfig,
  T: number,
  B: number,
  forwardOnly = false,
  transposed = false,
): PlanSizes {
  const N = T * B;
  const H = m.hiddenSize;
  const G = gateCount(m.cell);
  const perLayer = (n: number): number[] => Array.from({ length: m.layers }, () => n);
  const layer = cellBufferFloats(m.cell, T, B, H, transposed);
  return {
    tokens: N,
    targets: N,
    x0: N * m.embedSize,
    gx: N * G * H,
    states: perLayer(layer.states),
    act: perLayer(layer.act),
    logits: N * outputsOf(m),
    dlogits: N * outputsOf(m),
    losses: N,
    dabove: forwardOnly ? 1 : N * Math.max(H, m.embedSize),
    dg: forwardOnly ? 1 : layer.dg,
    scratch: forwardOnly ? 1 : layer.scratch,
    colsumPartials: forwardOnly ? 1 : columnSumScratch(N, Math.max(G * H, 3 * H, outputsOf(m))),
    splitPartials: forwardOnly ? 1 : Math.max(1, ...weightGradSpecs(m, N).map(splitFloats)),
    stats: STATS.tensorNorms + paramLayout(m).tensors.length + m.layers * T,
  };
}

export interface MemoryEstimate {
  /** Floats in parameters, gradients and optimiser state (4 flat buffers). */
  paramFloats: number;
  /** Floats in activation and scratch buffers for one (T, B). */
  activationFloats: number;
  /** The largest single buffer, in floats. */
  largestBuffer: number;
  bytes: number;
}

export function estimateMemory(m: ModelConfig, t: TrainConfig): MemoryEstimate {
  const paramSize = paramLayout(m).totalSize;
  const sizes = Object.values(planSizes(m, t.seqLen, t.batchSize)).flat();
  const activationFloats = sizes.reduce((a, b) => a + b, 0);
  return {
    paramFloats: 4 * paramSize,
    activationFloats,
    largestBuffer: Math.max(...sizes, paramSize),
    bytes: 4 * (4 * paramSize + activationFloats),
  };
}

/** The adapter limits a configuration depends on (a GPUSupportedLimits, or the copy the UI holds). */
export interface BindingLimits {
  maxStorageBufferBindingSize: number;
  maxComputeWorkgroupsPerDimension: number;
}

/**
 * Problems with running this configuration under these limits, each naming the limit it would break: the
 * engine refuses them before allocating, and the model panel shows them before the user presses Train.
 */
export function limitProblems(lim: BindingLimits, model: ModelConfig, train: TrainConfig): string[] {
  const problems: string[] = [];
  const largest = estimateMemory(model, train).largestBuffer * 4;
  if (largest > lim.maxStorageBufferBindingSize) {
    problems.push(
      `This configuration needs a ${(largest / 2 ** 20).toFixed(0)} MiB buffer but this GPU binds at most ${(lim.maxStorageBufferBindingSize / 2 ** 20).toFixed(0)} MiB (maxStorageBufferBindingSize): reduce batch, BPTT length or hidden size.`,
    );
  }
  if (Math.max(model.vocabSize, outputsOf(model)) > lim.maxComputeWorkgroupsPerDimension) {
    problems.push(
      `A vocabulary of ${Math.max(model.vocabSize, outputsOf(model))} exceeds this GPU's ${lim.maxComputeWorkgroupsPerDimension} workgroups per dimension (maxComputeWorkgroupsPerDimension).`,
    );
  }
  return problems;
}
