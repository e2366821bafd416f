// RecurrentWaveKernel: shaders/recurrent_wave.wgsl's layer wavefront for one cell type and tile shape. One
// dispatch advances a whole stack: 2L − 1 roles of workgroups (grid z), each layer's step and each
// projection between neighbouring layers (forward the input projection of the layer above, backward the
// gradient handed to the layer below), every role one step behind the one it reads. A window takes
// T + 2L − 2 dispatches each way instead of L·T, each one GEMM tile long. The layers' states, act, dg,
// scratch, gx and dabove live in one buffer each at per-layer regions (CellLayerInfo.bases); engine/plan.ts
// decides when a plan runs one (engine option `wave`).
import { type CellType, MAX_LAYERS, gateCount } from '../../core/config';
import { type CellTiles, tileConstants, waveable } from '../../core/tiles';
import { createShaderModule } from '../shaders';
import {
  CELL_CODE,
  type CellLayerBuffers,
  type CellLayerInfo,
  cellBufferFloats,
  cellLayerInfo,
  cellResources,
  layerWords,
} from './recurrentCell';
import { type Entry, bindGroup, createEntry, dispatch, stepUniform, uniformWords } from './pipelines';

/** Words of the shader's `Layer` struct, and the layers its uniform array holds. */
const LAYER_WORDS = 28;

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
  const key = `${cell} ${JSON.stringify(tiles)}`;
  let k = m.get(key);
  if (!k) m.set(key, (k = new RecurrentWaveKernel(device, cell, tiles)));
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
    const words = new Array<number>(MAX_LAYERS * LAYER_WORDS).fill(0);
    layers.forEach((info, l) => words.splice(l * LAYER_WORDS, LAYER_WORDS, ...layerWords(info)));
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
 * A stand-alone stack of L layers for the registry cases and the tuner: the flat parameters' layout (per
 * layer W_ih (G·H, H) | b_ih | W_hh | b_hh | peepholes (3H)), the per-layer strides of the six buffers a
 * wavefront reaches, and each layer's uniform block (initial state zeros; the top layer's dabove at 0).
 */
export function waveStack(cell: CellType, L: number, T: number, B: number, H: number) {
  const G = gateCount(cell);
  const N = T * B;
  const per = 2 * G * H * H + 2 * G * H + 3 * H;
  const off = (l: number) => {
    const o = l * per;
    const whh = o + G * H * H + G * H;
    return { wih: o, bih: o + G * H * H, whh, bhh: whh + G * H * H, peep: whh + G * H * H + G * H };
  };
  const size = cellBufferFloats(cell, T, B, H);
  const align = (n: number) => Math.ceil(n / 64) * 64;
  const stride = {
    states: align(size.states),
    act: align(size.act),
    dg: align(size.dg),
    scratch: align(size.scratch),
    gx: align(N * G * H),
    dabove: align(N * H),
  };
  const infos = Array.from({ length: L }, (_, l): CellLayerInfo => {
    const o = off(l);
    const lt = {
      weightHh: { offset: o.whh },
      biasHh: { offset: o.bhh },
      ...(cell === 'lstm-peephole' ? { peephole: { offset: o.peep } } : {}),
    };
    return {
      ...cellLayerInfo(T, B, H, G, lt, false),
      bases: {
        states: l * stride.states,
        act: l * stride.act,
        dg: l * stride.dg,
        scratch: l * stride.scratch,
        gx: l * stride.gx,
        dabove: (L - 1 - l) * stride.dabove,
      },
      wave: {
        ...(l > 0 ? { input: { wih: o.wih, bih: o.bih, below: (l - 1) * stride.states } } : {}),
        ...(l < L - 1 ? { above: { dg: (l + 1) * stride.dg, wih: off(l + 1).wih } } : {}),
      },
    };
  });
  return { params: L * per, off, size, stride, infos };
}
