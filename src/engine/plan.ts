// The prepared iteration: every buffer and every prepared kernel call of one training step for a given
// (T, B) (and, for an encoder–decoder, split), built once (buildPlan) and encoded per step
// (engine/iteration.ts: encodeIteration) in DESIGN.md §1's order:
// embedding → per layer [input GEMM, T fused steps] → head GEMM → fused softmax-xent → head grads → per
// layer [T fused backward steps, weight GEMMs, bias sums] → embedding grad → norms → clip-and-update.
import { type ModelConfig, gateCount, outputsOf } from '../core/config';
import { type MatmulSpec, matmulSpec as spec, splitFloats, splitOf } from '../core/matmul';
import { type ParamLayout, type Segment, segmentsOf } from '../core/params';
import { ReadbackRing, createStorageBuffer, createStorageBufferFrom } from '../gpu/buffers';
import type { CellTiles } from '../core/tiles';
import { type ColumnSumCall, ColumnSumKernel } from '../gpu/kernels/columnSum';
import { type EmbeddingCall, EmbeddingKernel } from '../gpu/kernels/embedding';
import { type GradNormCall, GradNormKernel, STATS, type SegmentNormCall } from '../gpu/kernels/gradNorm';
import { type MatmulBuffers, type MatmulCall, MatmulKernel } from '../gpu/kernels/matmul';
import {
  type CellLayer,
  RESET_ROW,
  type RecurrentCellKernel,
  cellKernel,
} from '../gpu/kernels/recurrentCell';
import { type CellLayerInfo, cellLayerInfo, scratchLayout } from '../gpu/kernels/cellLayout';
import { type SoftmaxXentCall, SoftmaxXentKernel } from '../gpu/kernels/softmaxXent';
import { AttentionKernel } from '../gpu/kernels/attention';
import { ConcatKernel } from '../gpu/kernels/concat';
import { type AttentionPlan, buildAttentionPlan } from './attentionPlan';
import { layerGradCalls, layerSpan } from './layerCalls';
import { type ForwardCalls, type ForwardCallsArgs, forwardCalls, forwardRanges } from './forwardCalls';
import { type ReversePlan, buildReversePlan } from './reversePlan';
import { layerStrides, planSizes } from './memory';
import {
  type RecurrentWaveKernel,
  type WaveCall,
  stackBases,
  stackLinks,
  waveKernel,
} from '../gpu/kernels/recurrentWave';

/** The kernels an engine compiles once for its cell type (the recurrent steps with the device's tiles). */
export class EngineKernels {
  readonly matmul: MatmulKernel;
  readonly cell: RecurrentCellKernel;
  readonly xent: SoftmaxXentKernel;
  readonly embed: EmbeddingKernel;
  readonly norm: GradNormKernel;
  readonly sum: ColumnSumKernel;
  readonly attention: AttentionKernel | null;
  readonly concat: ConcatKernel | null;
  /**
   * Plans step a single stack's layers as one wavefront (gpu/kernels/recurrentWave.ts) where the model (two
   * or more layers, no encoder, no reverse direction), the window (T ≥ 3), the tiles and the binding limits
   * allow: as the tiles say (the tuner's choice), unless `wave` overrides. Training, evaluation and probes
   * alike (forward-only plans use its forward half).
   */
  readonly wave: boolean;

  constructor(
    device: GPUDevice,
    model: ModelConfig,
    readonly tiles: CellTiles,
    wave?: boolean,
  ) {
    this.wave = wave ?? tiles.wave === true;
    this.matmul = new MatmulKernel(device);
    this.cell = cellKernel(device, model.cell, tiles);
    this.xent = new SoftmaxXentKernel(device);
    this.embed = new EmbeddingKernel(device);
    this.norm = new GradNormKernel(device);
    this.sum = new ColumnSumKernel(device);
    this.attention = model.attention ? new AttentionKernel(device, this.cell.stepStride) : null;
    this.concat = model.bidirectional ? new ConcatKernel(device) : null;
  }
}

/** What a plan binds that outlives it: the flat parameter and gradient buffers. */
export interface PlanContext {
  device: GPUDevice;
  model: ModelConfig;
  layout: ParamLayout;
  kernels: EngineKernels;
  params: GPUBuffer;
  grads: GPUBuffer;
  clipNorm: number;
}

/** The forward half of a plan: inputs, states and logits for one (T, B), and the calls that compute them. */
export interface ForwardPlan {
  T: number;
  B: number;
  /** Encoder–decoder windows: steps [0, split) run the encoder stack; 0 for a single stack. */
  split: number;
  /** The stacks over the window's steps (one, or encoder then decoder). */
  segments: Segment[];
  /** Everything the plan allocated, destroyed with it. */
  buffers: GPUBuffer[];
  tokens: GPUBuffer;
  targets: GPUBuffer;
  /** (B) u32 per sequence: RESET_ROW or the row of slot T it carries its state from. */
  rows: GPUBuffer;
  /**
   * Every layer's (2, T+1, B, H) [h; c], layer l's from element stateOff[l] (layer 0's from 0); slot T is
   * the state the next window carries.
   */
  states: GPUBuffer;
  stateOff: number[];
  /** Every layer's (T, B, A·H) gate activations saved by the forward steps, layer l's from actOff[l]. */
  acts: GPUBuffer;
  actOff: number[];
  logits: GPUBuffer;
  /** (N) per-position loss */
  losses: GPUBuffer;
  stats: GPUBuffer;
  statsFloats: number;
  /** Per segment. */
  embedding: EmbeddingCall[];
  /** Per layer, per segment: the fused steps with that stack's weights over the layer's shared states. */
  layers: CellLayer[][];
  /** Per layer, per segment: the input projection of the segment's steps. */
  inputGemm: MatmulCall[][];
  headGemm: MatmulCall;
  /**
   * The embeddings, input projections and head over steps [from, to) only (engine/forwardCalls.ts), prepared
   * on first use and kept with the plan: a decoder stepping a token at a time.
   */
  range(from: number, to: number): ForwardCalls;
  xent: SoftmaxXentCall;
  /** Attention models with both stacks in the window. */
  attention: AttentionPlan | null;
  /** Bidirectional models: the reverse direction and the [forward; reverse] head input. */
  reverse: ReversePlan | null;
  /** The layer wavefront stepping every layer at once (EngineKernels.wave), or null: a layer at a time. */
  wave: { kernel: RecurrentWaveKernel; call: WaveCall } | null;
}

/** Activation buffers and every prepared call of one training iteration for one (T, B). */
export interface Plan extends ForwardPlan {
  /** Per layer, per segment: the backward call of the segment's last step when another stack follows. */
  handoff: (CellLayer | null)[][];
  headGrads: MatmulCall[];
  headSums: ColumnSumCall[];
  layerGrads: MatmulCall[][];
  layerSums: ColumnSumCall[][];
  dhNorms: SegmentNormCall[];
  norms: GradNormCall;
  /** Metrics staging: stats, then the GPU timestamps at `timingOffset`. */
  ring: ReadbackRing;
  timingOffset: number;
}

/** Where each layer of a stack finds its W_ih and b_ih in params (a wavefront's projections). */
const weightsOf = (sg: Segment) => (l: number) => ({
  wih: sg.layers[l]!.weightIh.offset,
  bih: sg.layers[l]!.biasIh.offset,
});

/** Byte offsets in `states` of each layer's slot t (the state before step t; slot 0 the initial): h, then c. */
export function stateSlots(p: ForwardPlan, H: number, t: number): { h: number; c: number }[] {
  const BH = p.B * H;
  return p.stateOff.map((off) => ({ h: (off + t * BH) * 4, c: (off + (p.T + 1 + t) * BH) * 4 }));
}

/** Byte offsets in `states` of each layer's slot T (the state the next window carries): h, then c. */
export function carriedSlots(p: ForwardPlan, H: number): { h: number; c: number }[] {
  return stateSlots(p, H, p.T);
}

/** rows[] for a window: every sequence restarts from h0/c0 (or zeros), or each carries its own state. */
export function resetRows(B: number): Uint32Array {
  return new Uint32Array(B).fill(RESET_ROW);
}
export function carryRows(B: number): Uint32Array {
  return Uint32Array.from({ length: B }, (_, b) => b);
}

/**
 * Allocates a plan's buffers (sizes from engine/memory.ts) and prepares every call of the iteration. With
 * `timingBytes` null it is a forward-only plan (evaluation, sampling, probes): the backward buffers shrink to
 * placeholders and no backward call is prepared. An encoder–decoder plan (`split` > 0) prepares each stack's
 * calls over its own steps; both write the same per-layer state buffers, so the decoder's first step reads
 * the encoder's last state (slot `split`) and its backward hands the gradient back the same way.
 */
export function buildPlan(ctx: PlanContext, T: number, B: number, timingBytes: number, split?: number): Plan;
export function buildPlan(
  ctx: PlanContext,
  T: number,
  B: number,
  timingBytes: null,
  split?: number,
): ForwardPlan;
export function buildPlan(
  ctx: PlanContext,
  T: number,
  B: number,
  timingBytes: number | null,
  split = 0,
): ForwardPlan | Plan {
  const forwardOnly = timingBytes === null;
  const { device: d, model: m, layout: lay, kernels: k, params, grads } = ctx;
  const H = m.hiddenSize;
  const E = m.embedSize;
  const O = outputsOf(m);
  const G = gateCount(m.cell);
  const L = m.layers;
  const N = T * B;
  const segments = segmentsOf(m, lay, T, split);
  const transposed = k.cell.tiles.backward.subgroups === true;
  // T + 2L − 2 dispatches each way against L·T: fewer from T = 3 on.
  let waveK =
    k.wave && T >= 3 && L >= 2 && !m.encoder && !lay.reverse && !k.attention
      ? waveKernel(d, m.cell, k.cell.tiles)
      : null;
  let size = planSizes(m, T, B, { forwardOnly, transposed, wave: waveK !== null });
  // A wavefront keeps a dg, scratch, gx and dabove region per layer: where one of those buffers would not
  // bind, it is left out (the layers step one after another, sharing one region of each).
  if (
    waveK &&
    Math.max(size.dg, size.scratch, size.gx, size.dabove) * 4 > d.limits.maxStorageBufferBindingSize
  ) {
    waveK = null;
    size = planSizes(m, T, B, { forwardOnly, transposed });
  }
  const region = layerStrides(m, T, B, { transposed, wave: waveK !== null });
  const buffers: GPUBuffer[] = [];
  const buf = (label: string, floats: number): GPUBuffer => {
    const b = createStorageBuffer(d, `Engine.${label}`, floats);
    buffers.push(b);
    return b;
  };
  const uniform = <C extends { uniform: GPUBuffer }>(call: C): C => {
    buffers.push(call.uniform);
    return call;
  };
  // Weight gradients split K when that fills the GPU (core/matmul.ts splitOf) and their partial products
  // fit the shared buffer sized for the stack's and the head's (memory.ts); the splits run one after another.
  let splitPart: GPUBuffer | null = null;
  const mm = (sp: MatmulSpec, b: MatmulBuffers, label: string): MatmulCall => {
    const split = splitOf(sp);
    const fits = split > 1 && splitFloats(sp) <= size.splitPartials;
    if (fits) splitPart ??= buf('splitPartials', size.splitPartials);
    const call = k.matmul.prepare(
      sp,
      fits ? { ...b, part: splitPart! } : b,
      `Engine.${label}`,
      fits ? split : 1,
    );
    buffers.push(call.params);
    return call;
  };
  const tokens = buf('tokens', size.tokens);
  const targets = buf('targets', size.targets);
  const x0 = buf('x0', size.x0);
  const gx = buf('gx', size.gx);
  const states = buf('states', size.states);
  const acts = buf('act', size.act);
  const layerBases = Array.from({ length: L }, (_, l) => stackBases(l, L, region));
  const stateOff = layerBases.map((b) => b.states);
  const actOff = layerBases.map((b) => b.act);
  const logits = buf('logits', size.logits);
  const dlogits = buf('dlogits', size.dlogits);
  const losses = buf('losses', size.losses);
  const dabove = buf('dabove', size.dabove);
  const dg = buf('dg', size.dg);
  const scratch = buf('scratch', size.scratch);
  // Shared by every bias/peephole column sum: they run one after another.
  const partials = buf('colsumPartials', size.colsumPartials);
  const stats = buf('stats', size.stats);
  const rowsBuf = createStorageBufferFrom(d, 'Engine.rows', resetRows(B));
  buffers.push(rowsBuf);
  const steps = k.cell.createStepUniform(T);
  buffers.push(steps);
  const colsum = (
    rows: number,
    C: number,
    x: GPUBuffer,
    inOff: number,
    outOff: number,
    label: string,
  ): ColumnSumCall => uniform(k.sum.prepare(rows, C, x, inOff, grads, outOff, partials, `Engine.${label}`));

  const nT = lay.tensors.length;
  const { dhFullOff, dpeepOff } = scratchLayout(T, B, H);
  const layers: CellLayer[][] = [];
  const handoff: (CellLayer | null)[][] = [];
  const layerInputs: ForwardCallsArgs['layers'] = [];
  const dims = { T, B, E, H, G, segments: segments.length };
  const layerGrads: MatmulCall[][] = [];
  const layerSums: ColumnSumCall[][] = [];
  const dhNorms: SegmentNormCall[] = [];
  const makers = { mm, colsum };
  const infos: CellLayerInfo[] = [];
  for (let l = 0; l < L; l++) {
    const input = l === 0 ? { buf: x0, off: 0 } : { buf: states, off: stateOff[l - 1]! + B * H };
    const bases = layerBases[l]!;
    const layerBufs = { params, grads, gx, dg, scratch, states, dabove, dpeepOff, bases };
    layerInputs.push({ input, bufs: layerBufs });
    const grads_: MatmulCall[] = [];
    const sums: ColumnSumCall[] = [];
    const cells: CellLayer[] = [];
    const handoffs: (CellLayer | null)[] = [];
    for (const [si, sg] of segments.entries()) {
      const lt = sg.layers[l]!;
      // Rows [r0, r0 + rows) of every (T·B, ·) matrix are this stack's steps.
      const span = layerSpan(dims, lt, input, l, si, sg.start, sg.end);
      const { tag } = span;
      // The backward step at t brings dgh_{t+1} back through W_hh of step t+1: on a stack's last step that
      // is the next stack's W_hh, so that step gets a call of its own (`handoff`).
      const next = segments[si + 1]?.layers[l];
      const wave = waveK ? stackLinks(l, L, region, weightsOf(segments[0]!)) : undefined;
      const cell = (whh: number, label: string): CellLayer =>
        uniform(
          k.cell.prepare(
            { ...cellLayerInfo(T, B, H, G, lt, m.learnedInit, whh), bases, ...(wave ? { wave } : {}) },
            { params, gx, states, act: acts, dabove, dg, scratch, grads, rows: rowsBuf },
            steps,
            `Engine.${label}`,
          ),
        );
      cells.push(cell(lt.weightHh.offset, `layer${tag}`));
      if (si === 0) infos.push(cells[0]!.info);
      if (forwardOnly) continue;
      handoffs.push(next ? cell(next.weightHh.offset, `handoff${tag}`) : null);
      // In a wavefront, the gradients handed down between layers are roles of the wave: only layer 0's (for
      // the embedding) is a GEMM.
      const calls = layerGradCalls(makers, span, layerBufs, !waveK || l === 0);
      grads_.push(...calls.grads);
      sums.push(...calls.sums);
    }
    layers.push(cells);
    if (forwardOnly) continue;
    handoff.push(handoffs);
    layerGrads.push(grads_);
    layerSums.push(sums);
    dhNorms.push(
      uniform(
        k.norm.prepareSegments(
          scratch,
          bases.scratch + dhFullOff,
          B * H,
          T,
          stats,
          STATS.tensorNorms + nT + l * T,
        ),
      ),
    );
  }
  const reverse =
    lay.reverse && k.concat
      ? buildReversePlan({
          kernels: { cell: k.cell, embed: k.embed, concat: k.concat },
          lt: lay.reverse[0]!,
          embedding: lay.embedding,
          T,
          B,
          H,
          E,
          G,
          V: m.vocabSize,
          forwardOnly,
          bufs: { params, grads, gx, dg, scratch, rows: rowsBuf, steps, states, dabove },
          // A bidirectional model has one layer each way: its buffers hold one layer's region.
          sizes: { states: size.states, act: size.act, dabove: size.dabove },
          buf,
          makers,
          own: (b) => buffers.push(b),
        })
      : null;
  // The reverse direction's ‖∂L/∂h‖ by its own step (scratch at base 0, as its backward leaves it): row L.
  if (reverse && !forwardOnly)
    dhNorms.push(
      uniform(k.norm.prepareSegments(scratch, dhFullOff, B * H, T, stats, STATS.tensorNorms + nT + L * T)),
    );
  // The head reads the top layer's states, or [forward; reverse] (2H) for a bidirectional model.
  const top = reverse ? { buf: reverse.cat, off: 0 } : { buf: states, off: stateOff[L - 1]! + B * H };
  const K = reverse ? 2 * H : H;
  // In a wavefront, the input projections above layer 0 are roles of the wave, step by step.
  const callArgs: ForwardCallsArgs = {
    embed: k.embed,
    layout: lay,
    segments,
    T,
    B,
    E,
    H,
    G,
    O,
    bufs: { params, grads, tokens, x0, dabove },
    layers: layerInputs,
    top: { ...top, K },
    logits,
    wave: waveK !== null,
    makers,
    own: (b) => buffers.push(b),
  };
  const { embedding, inputGemm, head: headGemm } = forwardCalls(callArgs);
  const xent = uniform(k.xent.prepare(N, O, { logits, targets, dlogits, losses, stats }, STATS.loss));
  const attention =
    k.attention && segments.length === 2
      ? buildAttentionPlan({
          kernel: k.attention,
          layout: lay,
          T,
          B,
          H,
          G,
          split,
          forwardOnly,
          bufs: { params, grads, states, gx, dg, dabove, steps },
          buf,
          makers,
          own: (b) => buffers.push(b),
        })
      : null;
  const forward: ForwardPlan = {
    T,
    B,
    split,
    segments,
    buffers,
    tokens,
    targets,
    rows: rowsBuf,
    states,
    stateOff,
    acts,
    actOff,
    logits,
    losses,
    stats,
    statsFloats: size.stats,
    embedding,
    layers,
    inputGemm,
    headGemm,
    range: forwardRanges(callArgs),
    xent,
    attention,
    reverse,
    wave: waveK
      ? {
          kernel: waveK,
          call: waveK.prepare(
            infos,
            { params, gx, states, act: acts, dabove, dg, scratch, grads, rows: rowsBuf },
            'Engine.wave',
          ),
        }
      : null,
  };
  if (forward.wave) buffers.push(forward.wave.call.uniform, forward.wave.call.steps);
  if (forwardOnly) return forward;
  const headGrads = [
    mm(
      spec(O, K, N, { transA: true, accumulate: true }),
      { a: dlogits, b: top.buf, offB: top.off, c: grads, offC: lay.headWeight.offset },
      'dWhead',
    ),
    mm(
      spec(N, K, O),
      { a: dlogits, b: params, offB: lay.headWeight.offset, c: reverse ? reverse.dcat : dabove },
      'dtop',
    ),
  ];
  const headSums = [colsum(N, O, dlogits, 0, lay.headBias.offset, 'dbhead')];
  const norms = k.norm.prepare(lay.tensors, grads, stats, ctx.clipNorm);
  buffers.push(...norms.buffers);
  // One staging slot holds the stats and, 256-byte aligned after them, the step's GPU timestamps. Grows to
  // 64 slots: the caller may run up to 64 steps ahead of the GPU before metrics are dropped.
  const timingOffset = Math.ceil((size.stats * 4) / 256) * 256;
  const ring = new ReadbackRing(d, timingOffset + timingBytes, 4, 'Engine.metrics', 64);
  return {
    ...forward,
    handoff,
    headGrads,
    headSums,
    layerGrads,
    layerSums,
    dhNorms,
    norms,
    ring,
    timingOffset,
  };
}
