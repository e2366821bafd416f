// RecurrentCellKernel: owns shaders/recurrent_cell.wgsl's entry points for one cell type and tile shape
// (core/tiles.ts) and encodes them per layer, per time step or (loop tiles) per window; the step range
// arrives as a dynamic offset into a uniform array written once.
import { type CellType, gateCount } from '../../core/config';
import { type CellLayerInfo, layerWords } from './cellLayout';
import { createShaderModule } from '../shaders';
import {
  type CellTiles,
  DEFAULT_TILES,
  type Tile,
  shapesOf,
  tileConstants,
  tileProblem,
} from '../../core/tiles';
import {
  type BindingList,
  type Entry,
  type EntryArgs,
  bindGroup,
  createEntry,
  createEntryAsync,
  dispatch,
  grid1d,
  stepUniform,
  uniformWords,
} from './pipelines';

export const CELL_CODE: Record<CellType, number> = { rnn: 0, lstm: 1, gru: 2, 'lstm-peephole': 3 };
const WG = 64;

/** What recurrent_cell.wgsl's bindings 0–10 hold: a layer's uniform block, the step records, its buffers. */
export function cellResources(bufs: CellLayerBuffers, uniform: GPUBuffer, steps: GPUBuffer) {
  return {
    0: uniform,
    1: { buffer: steps, size: 16 },
    2: bufs.params,
    3: bufs.gx,
    4: bufs.states,
    5: bufs.act,
    6: bufs.dabove,
    7: bufs.dg,
    8: bufs.scratch,
    9: bufs.grads,
    10: bufs.rows,
  };
}

/** The buffers one layer binds. */
export interface CellLayerBuffers {
  params: GPUBuffer;
  gx: GPUBuffer;
  states: GPUBuffer;
  act: GPUBuffer;
  dabove: GPUBuffer;
  dg: GPUBuffer;
  scratch: GPUBuffer;
  grads: GPUBuffer;
  /** (B) u32: RESET_ROW or the row of slot T each sequence carries its state from (see cell_init). */
  rows: GPUBuffer;
}

/** rows[] value: start the sequence from the initial state instead of carrying one. */
export const RESET_ROW = 0xffffffff;

/** A prepared layer: its bind groups and grid. */
export interface CellLayer {
  info: CellLayerInfo;
  uniform: GPUBuffer;
  groups: {
    init: GPUBindGroup;
    forward: GPUBindGroup;
    backward: GPUBindGroup;
    backwardInit: GPUBindGroup;
    /** Subgroup backward tiles: W_hh → W_hhᵀ in scratch. */
    transpose?: GPUBindGroup;
  };
}

/** recurrent_cell.wgsl's entry points and the bindings each uses. */
const ENTRY_POINTS = {
  init: ['cell_init', { 0: 'uniform', 2: 'read', 4: 'rw', 10: 'read' }],
  forward: ['cell_forward', { 0: 'uniform', 1: 'dynamic', 2: 'read', 3: 'rw', 4: 'rw', 5: 'rw' }],
  backward: [
    'cell_backward',
    { 0: 'uniform', 1: 'dynamic', 2: 'read', 4: 'rw', 5: 'rw', 6: 'rw', 7: 'rw', 8: 'rw' },
  ],
  forwardLoop: ['cell_forward_loop', { 0: 'uniform', 1: 'dynamic', 2: 'read', 3: 'rw', 4: 'rw', 5: 'rw' }],
  forwardSubgroups: ['cell_forward_sg', { 0: 'uniform', 1: 'dynamic', 2: 'read', 3: 'rw', 4: 'rw', 5: 'rw' }],
  backwardLoop: [
    'cell_backward_loop',
    { 0: 'uniform', 1: 'dynamic', 2: 'read', 4: 'rw', 5: 'rw', 6: 'rw', 7: 'rw', 8: 'rw' },
  ],
  backwardInit: ['cell_backward_init', { 0: 'uniform', 2: 'read', 7: 'rw', 8: 'rw', 9: 'rw', 10: 'read' }],
  backwardSubgroups: [
    'cell_backward_sg',
    { 0: 'uniform', 1: 'dynamic', 2: 'read', 4: 'rw', 5: 'rw', 6: 'rw', 7: 'rw', 8: 'rw' },
  ],
  transpose: ['cell_transpose_whh', { 0: 'uniform', 2: 'read', 8: 'rw' }],
} as const satisfies Record<string, [string, BindingList]>;

const entryArgs = (
  device: GPUDevice,
  module: GPUShaderModule,
  name: keyof typeof ENTRY_POINTS,
  constants: Record<string, number>,
): EntryArgs => [
  device,
  module,
  `RecurrentCellKernel.${name}`,
  ENTRY_POINTS[name][0],
  ENTRY_POINTS[name][1],
  constants,
];

/** The module and the entry points no tile shape touches, compiled once per device and cell type. */
interface SharedEntries {
  module: GPUShaderModule;
  /** recurrent_cell.wgsl with recurrent_cell_subgroups.wgsl, made for the first subgroup tile. */
  subgroupModule?: GPUShaderModule;
  init: Entry;
  backwardInit: Entry;
}
const shared = new WeakMap<GPUDevice, Map<CellType, SharedEntries>>();

function sharedEntries(device: GPUDevice, cell: CellType): SharedEntries {
  let byCell = shared.get(device);
  if (!byCell) shared.set(device, (byCell = new Map()));
  let e = byCell.get(cell);
  if (!e) {
    const module = createShaderModule(device, 'recurrent_cell.wgsl');
    const c = { CELL: CELL_CODE[cell], WG };
    e = {
      module,
      init: createEntry(...entryArgs(device, module, 'init', c)),
      backwardInit: createEntry(...entryArgs(device, module, 'backwardInit', c)),
    };
    byCell.set(cell, e);
  }
  return e;
}

/**
 * The tile-dependent entry points (forward and backward steps, the loop variants for loop tiles), made with
 * `make` (sync or async).
 */
function stepEntries<E>(
  device: GPUDevice,
  cell: CellType,
  tiles: CellTiles,
  make: (...a: EntryArgs) => E,
): { forward: E; backward: E; transpose?: E } {
  const problem = tileProblem(cell, tiles);
  if (problem) throw new Error(`RecurrentCellKernel: tiles ${JSON.stringify(tiles)}: ${problem}`);
  const e = sharedEntries(device, cell);
  const sgBackward = tiles.backward.subgroups === true;
  const sg = tiles.forward.subgroups === true || sgBackward;
  if (sg && !device.features.has('subgroups'))
    throw new Error('RecurrentCellKernel: subgroup tiles need a device with the subgroups feature');
  const module = sg
    ? (e.subgroupModule ??= createShaderModule(device, 'recurrent_cell_subgroups.wgsl'))
    : e.module;
  const c = { CELL: CELL_CODE[cell], WG, ...tileConstants(cell, tiles) };
  const forward = tiles.forward.subgroups
    ? 'forwardSubgroups'
    : tiles.forward.loop
      ? 'forwardLoop'
      : 'forward';
  const backward = sgBackward ? 'backwardSubgroups' : tiles.backward.loop ? 'backwardLoop' : 'backward';
  return {
    forward: make(...entryArgs(device, module, forward, c)),
    backward: make(...entryArgs(device, module, backward, c)),
    ...(sgBackward ? { transpose: make(...entryArgs(device, module, 'transpose', c)) } : {}),
  };
}

const kernels = new WeakMap<GPUDevice, Map<string, Promise<RecurrentCellKernel> | RecurrentCellKernel>>();
// Keyed and made by the two shapes: `CellTiles.wave` changes how plans use the kernel, not its pipelines.
const kernelKey = (cell: CellType, t: CellTiles) => `${cell} ${JSON.stringify(shapesOf(t))}`;
const kernelsOf = (device: GPUDevice) => {
  let m = kernels.get(device);
  if (!m) kernels.set(device, (m = new Map()));
  return m;
};

/** The kernel for (cell, tiles) on this device, compiled once and shared by every engine and the tuner. */
export function cellKernel(device: GPUDevice, cell: CellType, tiles: CellTiles): RecurrentCellKernel {
  const m = kernelsOf(device);
  const k = m.get(kernelKey(cell, tiles));
  if (k instanceof RecurrentCellKernel) return k;
  const made = new RecurrentCellKernel(device, cell, shapesOf(tiles));
  m.set(kernelKey(cell, tiles), made);
  return made;
}

/** cellKernel compiled asynchronously (createComputePipelineAsync): the tuner compiles its candidates at once. */
export function cellKernelAsync(
  device: GPUDevice,
  cell: CellType,
  tiles: CellTiles,
): Promise<RecurrentCellKernel> {
  const m = kernelsOf(device);
  const key = kernelKey(cell, tiles);
  const have = m.get(key);
  if (have) return Promise.resolve(have);
  const making = (async () => {
    const e = stepEntries(device, cell, tiles, createEntryAsync);
    const k = new RecurrentCellKernel(device, cell, shapesOf(tiles), {
      forward: await e.forward,
      backward: await e.backward,
      ...(e.transpose ? { transpose: await e.transpose } : {}),
    });
    m.set(key, k);
    return k;
  })();
  m.set(key, making);
  making.catch(() => m.delete(key));
  return making;
}

export class RecurrentCellKernel {
  private readonly init: Entry;
  private readonly forward: Entry;
  private readonly backward: Entry;
  private readonly backwardInit: Entry;
  private readonly transpose: Entry | undefined;
  /** Bytes between consecutive step records in the step uniform array. */
  readonly stepStride: number;

  /** Prefer cellKernel / cellKernelAsync, which compile each (device, cell, tiles) once. */
  constructor(
    private readonly device: GPUDevice,
    readonly cell: CellType,
    readonly tiles: CellTiles = DEFAULT_TILES,
    steps?: { forward: Entry; backward: Entry; transpose?: Entry },
  ) {
    const shared = sharedEntries(device, cell);
    this.init = shared.init;
    this.backwardInit = shared.backwardInit;
    ({
      forward: this.forward,
      backward: this.backward,
      transpose: this.transpose,
    } = steps ?? stepEntries(device, cell, tiles, createEntry));
    this.stepStride = Math.max(16, device.limits.minUniformBufferOffsetAlignment);
  }

  /**
   * The step records (t, n), one per `stepStride` bytes, shared by every layer: (t, 1) for t = 0 … T−1, then
   * the whole window forward (0, T) and backward (T−1, T) for loop tiles.
   */
  createStepUniform(T: number): GPUBuffer {
    const record = (s: number) => (s < T ? [s, 1] : s === T ? [0, T] : [Math.max(0, T - 1), T]);
    return stepUniform(this.device, 'RecurrentCellKernel.steps', T + 2, record).buffer;
  }

  prepare(info: CellLayerInfo, bufs: CellLayerBuffers, steps: GPUBuffer, label: string): CellLayer {
    const uniform = uniformWords(this.device, `${label}.layer`, layerWords(info));
    const all = cellResources(bufs, uniform, steps);
    return {
      info,
      uniform,
      groups: {
        init: bindGroup(this.device, this.init, all, `${label}.init`),
        forward: bindGroup(this.device, this.forward, all, `${label}.forward`),
        backward: bindGroup(this.device, this.backward, all, `${label}.backward`),
        backwardInit: bindGroup(this.device, this.backwardInit, all, `${label}.backwardInit`),
        ...(this.transpose
          ? { transpose: bindGroup(this.device, this.transpose, all, `${label}.transpose`) }
          : {}),
      },
    };
  }

  /** Writes slot 0 of the layer's states: carried from slot T per `rows`, or learned h0/c0 or zeros. */
  encodeInit(pass: GPUComputePassEncoder, layer: CellLayer): void {
    dispatch(pass, this.init, layer.groups.init, [Math.ceil(layer.info.H / WG), layer.info.B]);
  }

  /** Forward step t (record t); a loop tile runs it as a one-step loop. */
  encodeForward(pass: GPUComputePassEncoder, layer: CellLayer, t: number): void {
    dispatch(pass, this.forward, layer.groups.forward, this.grid(this.tiles.forward, layer), [
      t * this.stepStride,
    ]);
  }

  /**
   * Backward step t (record t). A subgroup backward tile transposes W_hh first (whole windows do it once:
   * encodeBackwardSteps), so a step alone means the same for every tile.
   */
  encodeBackward(pass: GPUComputePassEncoder, layer: CellLayer, t: number): void {
    this.encodeTranspose(pass, layer);
    this.backwardStep(pass, layer, t);
  }

  private backwardStep(pass: GPUComputePassEncoder, layer: CellLayer, t: number): void {
    dispatch(pass, this.backward, layer.groups.backward, this.grid(this.tiles.backward, layer), [
      t * this.stepStride,
    ]);
  }

  /** Subgroup backward tiles: W_hh (this layer's bindings' W_hh) → W_hhᵀ in scratch; else nothing. */
  private encodeTranspose(pass: GPUComputePassEncoder, layer: CellLayer): void {
    if (!this.transpose || !layer.groups.transpose) return;
    const { H } = layer.info;
    const G = gateCount(this.cell);
    dispatch(pass, this.transpose, layer.groups.transpose, grid1d(G * H * H, WG));
  }

  /** Forward steps start … end−1: one dispatch for a loop tile over the whole window, else one per step. */
  encodeForwardSteps(pass: GPUComputePassEncoder, layer: CellLayer, start: number, end: number): void {
    const T = layer.info.T;
    if (this.tiles.forward.loop && start === 0 && end === T)
      dispatch(pass, this.forward, layer.groups.forward, this.grid(this.tiles.forward, layer), [
        T * this.stepStride,
      ]);
    else for (let t = start; t < end; t++) this.encodeForward(pass, layer, t);
  }

  /**
   * Backward steps end−1 … start, the first of them (t = end−1) with `first`'s bindings (a stack handing its
   * gradient to another: engine/plan.ts handoff). One dispatch for a loop tile over the whole window.
   */
  encodeBackwardSteps(
    pass: GPUComputePassEncoder,
    layer: CellLayer,
    start: number,
    end: number,
    first: CellLayer = layer,
  ): void {
    const T = layer.info.T;
    if (this.tiles.backward.loop && start === 0 && end === T && first === layer)
      dispatch(pass, this.backward, layer.groups.backward, this.grid(this.tiles.backward, layer), [
        (T + 1) * this.stepStride,
      ]);
    else if (end > start) {
      // The first step may read another stack's W_hh (`first`); the rest read this layer's.
      this.encodeTranspose(pass, first);
      this.backwardStep(pass, first, end - 1);
      if (first !== layer && end - 1 > start) this.encodeTranspose(pass, layer);
      for (let t = end - 2; t >= start; t--) this.backwardStep(pass, layer, t);
    }
  }

  /** Workgroups: unit tiles × sequence tiles per step, or sequence tiles only for a loop tile. */
  private grid(tile: Tile, layer: CellLayer): [number, number] {
    const seqs = Math.ceil(layer.info.B / tile.tb);
    return [tile.loop ? 1 : Math.ceil(layer.info.H / tile.tj), seqs];
  }

  /** After the t = 0 backward step: gradient of the learned initial state (only when learnedInit). */
  encodeBackwardInit(pass: GPUComputePassEncoder, layer: CellLayer): void {
    dispatch(pass, this.backwardInit, layer.groups.backwardInit, [Math.ceil(layer.info.H / WG)]);
  }
}
