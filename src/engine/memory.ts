// The size of every buffer of one training iteration, computed before anything is allocated. The plan
// allocates exactly these sizes (engine/plan.ts), the engine refuses configurations whose largest buffer
// the adapter cannot bind, and the total is the memory estimate a UI can show before training.
import { type ModelConfig, type TrainConfig, gateCount, outputsOf } from '../core/config';
import { type MatmulSpec, matmulSpec as spec, splitFloats } from '../core/matmul';
import { paramLayout } from '../core/params';
import { columnSumScratch } from '../gpu/kernels/columnSum';
import { STATS } from '../gpu/kernels/gradNorm';
import { type LayerBases, cellBufferFloats, regionStrides } from '../gpu/kernels/cellLayout';

/** Floats of each activation buffer for one (T, B); per-layer buffers have one entry per layer. */
export interface PlanSizes {
  tokens: number;
  targets: number;
  /** (N, E) embedded inputs */
  x0: number;
  /** (N, G·H) input projection, shared by the layers */
  gx: number;
  /** every layer's (2, T+1, B, H) [h; c], one region per layer (`region`) */
  states: number;
  /** every layer's (N, A·H) saved gate activations, one region per layer */
  act: number;
  logits: number;
  dlogits: number;
  losses: number;
  /** (N, max(H, E)) gradient arriving from above */
  dabove: number;
  /** (2, N, G·H): [dgx; dgh], shared by the layers (one region per layer in a layer wavefront) */
  dg: number;
  /** carry_h (B,H) · carry_c (B,H) · dh_full (N,H) · dpeep (N,3H) for peepholes; shared like dg */
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

/** How a plan lays out its buffers beyond the model's shape. */
export interface PlanOptions {
  /** Buffers only backward reads shrink to one-float placeholders. */
  forwardOnly?: boolean;
  /** Scratch holds W_hhᵀ for subgroup backward tiles (G·H² floats more than the estimate before tuning). */
  transposed?: boolean;
  /** A layer wavefront: dg, scratch, gx and dabove get a region per layer (all layers' steps interleave). */
  wave?: boolean;
}

/** The strides between the layers' regions in the buffers that hold every layer's (regionStrides). */
export const layerStrides = (m: ModelConfig, T: number, B: number, o: PlanOptions = {}): LayerBases =>
  regionStrides(m.cell, T, B, m.hiddenSize, { ...o, inputWidth: m.embedSize });

/** Each buffer's size. */
export function planSizes(m: ModelConfig, T: number, B: number, o: PlanOptions = {}): PlanSizes {
  const N = T * B;
  const H = m.hiddenSize;
  const G = gateCount(m.cell);
  const forwardOnly = o.forwardOnly === true;
  const layer = cellBufferFloats(m.cell, T, B, H, o.transposed);
  const region = layerStrides(m, T, B, o);
  const all = (floats: number, stride: number): number => (m.layers - 1) * stride + floats;
  return {
    tokens: N,
    targets: N,
    x0: N * m.embedSize,
    gx: all(N * G * H, region.gx),
    states: all(layer.states, region.states),
    act: all(layer.act, region.act),
    logits: N * outputsOf(m),
    dlogits: N * outputsOf(m),
    losses: N,
    dabove: forwardOnly ? 1 : all(N * Math.max(H, m.embedSize), region.dabove),
    dg: forwardOnly ? 1 : all(layer.dg, region.dg),
    scratch: forwardOnly ? 1 : all(layer.scratch, region.scratch),
    colsumPartials: forwardOnly ? 1 : columnSumScratch(N, Math.max(G * H, 3 * H, outputsOf(m))),
    splitPartials: forwardOnly ? 1 : Math.max(1, ...weightGradSpecs(m, N).map(splitFloats)),
    stats: STATS.tensorNorms + paramLayout(m).tensors.length + dhNormRows(m) * T,
  };
}

/** Rows of ‖∂L/∂h_t‖ a step reports: one per layer, and the reverse direction's after them. */
export function dhNormRows(m: ModelConfig): number {
  return m.layers + (m.bidirectional ? 1 : 0);
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
  const sizes = Object.values(planSizes(m, t.seqLen, t.batchSize));
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
