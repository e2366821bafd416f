// RecurrentWaveKernel: shaders/recurrent_wave.wgsl's layer wavefront for one cell type and tile shape. One
// dispatch advances a whole stack: 2L − 1 roles of workgroups (grid z), each layer's step and each
// projection between neighbouring layers (forward the input projection of the layer above, backward the
// gradient handed to the layer below), every role one step behind the one it reads. A window takes
// T + 2L − 2 dispatches each way instead of L·T, each one GEMM tile long. The layers' states, act, dg,
// scratch, gx and dabove live in one buffer each at per-layer regions (CellLayerInfo.bases); engine/plan.ts
// decides when a plan runs one (engine option `wave`).
import { type CellType, MAX_LAYERS, gateCount } from '../../core/config';
import { type CellTiles, shapesOf, tileConstants, waveable } from '../../core/tiles';
import { createShaderModule } from '../shaders';
import { CELL_CODE, type CellLayerBuffers, cellResources } from './recurrentCell';
import {
  type CellLayerInfo,
  type LayerBases,
  type WaveLinks,
  cellBufferFloats,
  cellLayerInfo,
  layerWords,
  regionStrides,
} from './cellLayout';
import { type Entry, bindGroup, createEntry, dispatch, stepUniform, uniformWords } from './pipelines';

/** A prepared wavefront over a stack's layers: their uniform array, step records and bind groups. */
export interface WaveCall {
  layers: CellLayerInfo[];
  uniform: GPUBuffer;
  steps: GPUBuffer;
  groups: { forward: GPUBindGroup; backward: GPUBindGroup };
}

const made = new WeakMap<GPUDevice, Map<string, RecurrentWaveKernel>>();

/** The wavefront kernel for (cell, tiles) on this device, compiled once; null for tiles it cannot use. */
export function waveKernel(device: GPUDevice, cell: CellType, tiles: CellTiles): RecurrentWaveKernel | null {
  if (!waveable(cell, tiles)) return null;
  let m = made.get(device);
  if (!m) made.set(device, (m = new Map()));
  const key = `${cell} ${JSON.stringify(shapesOf(tiles))}`;
  let k = m.get(key);
  if (!k) m.set(key, (k = new RecurrentWaveKernel(device, cell, shapesOf(tiles))));
  return k;
}

export class RecurrentWaveKernel {
  private readonly forward: Entry;
  private readonly backward: Entry;
  private readonly stride: number;

  /** Prefer waveKernel, which checks the tiles and compiles each (device, cell, tiles) once. */
  constructor(
    private readonly device: GPUDevice,
    readonly cell: CellType,
    readonly tiles: CellTiles,
  ) {
    const module = createShaderModule(device, 'recurrent_wave.wgsl');
    const constants = { CELL: CELL_CODE[cell], ...tileConstants(cell, tiles) };
    this.forward = createEntry(
      device,
      module,
      'RecurrentWaveKernel.forward',
      'cell_forward_wave',
      { 1: 'dynamic', 2: 'read', 3: 'rw', 4: 'rw', 5: 'rw', 11: 'uniform' },
      constants,
    );
    this.backward = createEntry(
      device,
      module,
      'RecurrentWaveKernel.backward',
      'cell_backward_wave',
      { 1: 'dynamic', 2: 'read', 4: 'rw', 5: 'rw', 6: 'rw', 7: 'rw', 8: 'rw', 11: 'uniform' },
      constants,
    );
    this.stride = Math.max(16, device.limits.minUniformBufferOffsetAlignment);
  }

  /**
   * Binds the stack's layers (bottom first; `bufs` holds every layer's region of states, act, dg, scratch,
   * gx and dabove) with step records (s, 2L − 1) for the T + 2L − 2 dispatches each way.
   */
  prepare(layers: CellLayerInfo[], bufs: CellLayerBuffers, label: string): WaveCall {
    const L = layers.length;
    if (L < 2 || L > MAX_LAYERS) throw new Error(`RecurrentWaveKernel: ${L} layers (2 to ${MAX_LAYERS})`);
    // The shader's array holds MAX_LAYERS blocks; the ones past the stack stay zero.
    const blocks = layers.map(layerWords);
    const words = blocks.flat().concat(new Array<number>((MAX_LAYERS - L) * blocks[0]!.length).fill(0));
    const uniform = uniformWords(this.device, `${label}.layers`, words);
    const T = layers[0]!.T;
    const steps = stepUniform(this.device, `${label}.steps`, T + 2 * L - 2, (s) => [s, 2 * L - 1]).buffer;
    // Binding 11 holds every layer's block (the wave's entry points leave binding 0 unbound).
    const all = { ...cellResources(bufs, uniform, steps), 11: uniform };
    return {
      layers,
      uniform,
      steps,
      groups: {
        forward: bindGroup(this.device, this.forward, all, `${label}.forward`),
        backward: bindGroup(this.device, this.backward, all, `${label}.backward`),
      },
    };
  }

  /** The stack's forward window: every layer's T steps and the projections between, T + 2L − 2 dispatches. */
  encodeForward(pass: GPUComputePassEncoder, call: WaveCall): void {
    this.encode(pass, this.forward, call.groups.forward, this.tiles.forward, call);
  }

  /** The stack's backward window, top layer first, in T + 2L − 2 dispatches. */
  encodeBackward(pass: GPUComputePassEncoder, call: WaveCall): void {
    this.encode(pass, this.backward, call.groups.backward, this.tiles.backward, call);
  }

  private encode(
    pass: GPUComputePassEncoder,
    entry: Entry,
    group: GPUBindGroup,
    tile: { tj: number; tb: number },
    call: WaveCall,
  ): void {
    const { H, B, T } = call.layers[0]!;
    const L = call.layers.length;
    const grid: [number, number, number] = [Math.ceil(H / tile.tj), Math.ceil(B / tile.tb), 2 * L - 1];
    for (let s = 0; s < T + 2 * L - 2; s++) dispatch(pass, entry, group, grid, [s * this.stride]);
  }
}

/**
 * Where layer l of L starts in each buffer that holds every layer's, given the strides: layer l at l
 * strides, except dabove, where the top layer is region 0 (the head's gradient arrives there, and after a
 * wave, layer 0's for the embedding).
 */
export function stackBases(l: number, L: number, stride: LayerBases): LayerBases {
  return {
    states: l * stride.states,
    act: l * stride.act,
    dg: l * stride.dg,
    scratch: l * stride.scratch,
    gx: l * stride.gx,
    dabove: (L - 1 - l) * stride.dabove,
  };
}

/**
 * The projections into layer l of a wavefront stack: above the first, its gx from the layer below's h
 * through its W_ih and b_ih; below the top, its dabove from the layer above's dgx through that layer's W_ih.
 */
export function stackLinks(
  l: number,
  L: number,
  stride: LayerBases,
  weights: (l: number) => { wih: number; bih: number },
): WaveLinks {
  const w = weights(l);
  return {
    ...(l > 0 ? { input: { wih: w.wih, bih: w.bih, below: (l - 1) * stride.states } } : {}),
    ...(l < L - 1 ? { above: { dg: (l + 1) * stride.dg, wih: weights(l + 1).wih } } : {}),
  };
}

/**
 * A stand-alone stack of L layers for the registry cases and the tuner: the flat parameters' layout (per
 * layer W_ih (G·H, H) | b_ih | W_hh | b_hh | peepholes (3H)), the per-layer strides of the six buffers a
 * wavefront reaches, and each layer's uniform block (initial state zeros; the top layer's dabove at 0).
 */
export function waveStack(cell: CellType, L: number, T: number, B: number, H: number) {
  const G = gateCount(cell);
  const per = 2 * G * H * H + 2 * G * H + 3 * H;
  const off = (l: number) => {
    const o = l * per;
    const whh = o + G * H * H + G * H;
    return { wih: o, bih: o + G * H * H, whh, bhh: whh + G * H * H, peep: whh + G * H * H + G * H };
  };
  const size = cellBufferFloats(cell, T, B, H);
  const stride = regionStrides(cell, T, B, H, { wave: true });
  const infos = Array.from({ length: L }, (_, l): CellLayerInfo => {
    const o = off(l);
    const lt = {
      weightHh: { offset: o.whh },
      biasHh: { offset: o.bhh },
      ...(cell === 'lstm-peephole' ? { peephole: { offset: o.peep } } : {}),
    };
    return {
      ...cellLayerInfo(T, B, H, G, lt, false),
      bases: stackBases(l, L, stride),
      wave: stackLinks(l, L, stride, off),
    };
  });
  return { params: L * per, off, size, stride, infos };
}
