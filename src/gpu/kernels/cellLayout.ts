// The layout of one recurrent layer as recurrent_cell.wgsl sees it: the floats of its buffers, where its
// region starts in buffers that hold every layer's, its offsets into params and scratch, and the `Layer`
// uniform block those make (layerWords, the struct word for word; a test checks it against the WGSL).
import { type CellType, actCount, gateCount } from '../../core/config';

/** Offsets and sizes of one layer, as the shader's `Layer` struct (element offsets into each buffer). */
export interface CellLayerInfo {
  B: number;
  H: number;
  T: number;
  offWhh: number;
  offBhh: number;
  offPeep: number;
  offH0: number;
  offC0: number;
  cOff: number;
  dghOff: number;
  carryCOff: number;
  dhFullOff: number;
  dpeepOff: number;
  /**
   * W_hhᵀ (H, G·H) in scratch, after dpeep (present when the layer has peepholes, `lt.peephole`): only
   * subgroup backward tiles write and read it.
   */
  whhTOff: number;
  learnedInit: boolean;
  /**
   * Where the layer's region starts in states, act, dg, scratch, gx and dabove (a plan keeps all layers'
   * states and act in one buffer each, and in a layer wavefront all six: it reaches the layers below and
   * above); 0 where the layer has its own buffers.
   */
  bases?: Partial<LayerBases>;
  /** Layer wavefront only (gpu/kernels/recurrentWave.ts): the projections into this layer. */
  wave?: WaveLinks;
}

export interface LayerBases {
  states: number;
  act: number;
  dg: number;
  scratch: number;
  gx: number;
  dabove: number;
}

/**
 * A wavefront layer's projections: `input`, its gx from the layer below's h (that layer's states region
 * starts at `below`) through this layer's W_ih and b_ih; `above`, its dabove from the layer above's dgx
 * (that layer's dg region) through that layer's W_ih.
 */
export interface WaveLinks {
  input?: { wih: number; bih: number; below: number };
  above?: { dg: number; wih: number };
}

/**
 * Floats of one layer's buffers for a (T, B, H) window: states [h; c] (2, T+1, B, H), gate activations,
 * [dgx; dgh] and scratch (dpeep only for peepholes, W_hhᵀ only with `transposed`: a subgroup backward
 * tile) — the plan, the tuner and the registry cases allocate these.
 */
export function cellBufferFloats(
  cell: CellType,
  T: number,
  B: number,
  H: number,
  transposed = false,
): { states: number; act: number; dg: number; scratch: number } {
  const N = T * B;
  const G = gateCount(cell);
  return {
    states: 2 * (T + 1) * B * H,
    act: N * actCount(cell) * H,
    dg: 2 * N * G * H,
    scratch: 2 * B * H + N * H + (cell === 'lstm-peephole' ? 3 * N * H : 0) + (transposed ? G * H * H : 0),
  };
}

/**
 * Floats from one layer's region to the next in the buffers that hold every layer's (64-float aligned, so a
 * region could also be bound on its own): states and act always; dg, scratch, gx and dabove only in a layer
 * wavefront (else 0: the layers share one region of each). dabove's rows are `inputWidth` wide (the layer 0's
 * input, the embedding, may be wider than H).
 */
export function regionStrides(
  cell: CellType,
  T: number,
  B: number,
  H: number,
  o: { wave?: boolean; transposed?: boolean; inputWidth?: number } = {},
): LayerBases {
  const layer = cellBufferFloats(cell, T, B, H, o.transposed);
  const align = (n: number) => Math.ceil(n / 64) * 64;
  const wave = (n: number) => (o.wave ? align(n) : 0);
  return {
    states: align(layer.states),
    act: align(layer.act),
    dg: wave(layer.dg),
    scratch: wave(layer.scratch),
    gx: wave(T * B * gateCount(cell) * H),
    dabove: wave(T * B * Math.max(H, o.inputWidth ?? H)),
  };
}

/** Element offsets inside `scratch` for a (T, B, H) layer: carry_h | carry_c | dh_full (T, B, H) | dpeep. */
export function scratchLayout(T: number, B: number, H: number): { dhFullOff: number; dpeepOff: number } {
  const dhFullOff = 2 * B * H;
  return { dhFullOff, dpeepOff: dhFullOff + T * B * H };
}

/**
 * A layer's uniform block for a (T, B, H) window of G-gate cells: its tensors' offsets (W_hh from `whh` when
 * another stack's step follows: see engine/plan.ts `handoff`) and the buffer layouts of recurrent_cell.wgsl.
 */
export function cellLayerInfo(
  T: number,
  B: number,
  H: number,
  G: number,
  lt: {
    weightHh: { offset: number };
    biasHh: { offset: number };
    peephole?: { offset: number };
    h0?: { offset: number };
    c0?: { offset: number };
  },
  learnedInit: boolean,
  whh = lt.weightHh.offset,
): CellLayerInfo {
  const layout = scratchLayout(T, B, H);
  return {
    B,
    H,
    T,
    offWhh: whh,
    offBhh: lt.biasHh.offset,
    offPeep: lt.peephole?.offset ?? 0,
    offH0: lt.h0?.offset ?? 0,
    offC0: lt.c0?.offset ?? 0,
    cOff: (T + 1) * B * H,
    dghOff: T * B * G * H,
    carryCOff: B * H,
    ...layout,
    whhTOff: layout.dpeepOff + (lt.peephole ? 3 * T * B * H : 0),
    learnedInit,
  };
}

/** The shader's `Layer` struct for a layer (28 words). */
export function layerWords(i: CellLayerInfo): number[] {
  const b = { states: 0, act: 0, dg: 0, scratch: 0, gx: 0, dabove: 0, ...i.bases };
  const { input, above } = i.wave ?? {};
  return [
    i.B,
    i.H,
    i.T,
    i.offWhh,
    i.offBhh,
    i.offPeep,
    i.offH0,
    i.offC0,
    i.cOff,
    i.dghOff,
    i.carryCOff,
    i.dhFullOff,
    i.dpeepOff,
    +i.learnedInit,
    i.whhTOff,
    b.states,
    b.act,
    b.dg,
    b.scratch,
    input?.wih ?? 0,
    input?.bih ?? 0,
    input?.below ?? 0,
    above?.dg ?? 0,
    above?.wih ?? 0,
    b.gx,
    b.dabove,
    0,
    0,
  ];
}
