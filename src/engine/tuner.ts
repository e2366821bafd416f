// The tile tuner: times every candidate tile shape of the fused recurrent steps (core/tiles.ts)
// on the device at hand for one (cell, B, H) and remembers the fastest forward and backward shape per device,
// as cuDNN's algorithm search does. Engines built afterwards for that shape use the choice (tilesFor); until
// a shape is tuned, or on a software adapter where timings mean nothing, they use DEFAULT_TILES. Every
// candidate is a registry case checked against the reference, so tuning changes speed, never results beyond
// float rounding order.
import { type CellType, gateCount } from '../core/config';
import { Rng } from '../core/rng';
import { createStorageBuffer, createStorageBufferFrom } from '../gpu/buffers';
import {
  type CellTiles,
  DEFAULT_TILES,
  type Tile,
  plainTile,
  tileCandidates,
  segmentable,
  tileProblem,
  withoutLoops,
  withoutSubgroups,
} from '../core/tiles';
import { RESET_ROW, type RecurrentCellKernel, cellKernelAsync } from '../gpu/kernels/recurrentCell';
import { cellBufferFloats, cellLayerInfo } from '../gpu/kernels/cellLayout';
import { GpuTimer } from '../gpu/timing';
import { waveKernel, waveStack } from '../gpu/kernels/recurrentWave';
import { median } from '../core/stats';

/** Per (cell, B, H): the tiles for whole windows, and for windows cut into segments (no loop tiles). */
const chosen = new WeakMap<GPUDevice, Map<string, { tiles: CellTiles; segmented: CellTiles }>>();
const keyOf = (cell: CellType, B: number, H: number): string => `${cell} B${B} H${H}`;

/**
 * The tiles engines on this device use for (cell, B, H): the tuned choice, else DEFAULT_TILES. `segmented`:
 * for a model whose windows are cut into segments (an encoder–decoder), which never gets loop tiles
 * (core/tiles.ts withoutLoops).
 */
export function tilesFor(
  device: GPUDevice,
  cell: CellType,
  B: number,
  H: number,
  segmented = false,
): CellTiles {
  const c = chosen.get(device)?.get(keyOf(cell, B, H));
  return c ? (segmented ? c.segmented : c.tiles) : DEFAULT_TILES;
}

/**
 * Sets the tiles for (cell, B, H) on this device (the tuner's choice, or a benchmark's or a checkpoint's
 * explicit one), and those for segmented windows (by default the same with loop tiles replaced). On a
 * device without subgroups, subgroup shapes become the defaults: a checkpoint or stored choice made on
 * another GPU still loads (tiles only change speed and summation order).
 */
export function chooseTiles(
  device: GPUDevice,
  cell: CellType,
  B: number,
  H: number,
  chosenTiles: CellTiles,
  chosenSegmented = withoutLoops(chosenTiles),
): void {
  const usable = (t: CellTiles) => (device.features.has('subgroups') ? t : withoutSubgroups(t));
  const tiles = usable(chosenTiles);
  const segmented = usable(chosenSegmented);
  for (const t of [tiles, segmented]) {
    const problem = tileProblem(cell, t);
    if (problem) throw new Error(`tiles ${JSON.stringify(t)}: ${problem}`);
  }
  let m = chosen.get(device);
  if (!m) chosen.set(device, (m = new Map()));
  m.set(keyOf(cell, B, H), { tiles, segmented });
}

/** Where tuned choices outlive the page (the playground's worker keeps them in IndexedDB). */
export interface TileStore {
  get(key: string): Promise<unknown>;
  set(key: string, value: unknown): Promise<void>;
}

/**
 * Part of every stored key: bump it when the candidates or the kernels change, so choices timed against
 * older ones are tuned again rather than trusted.
 */
export const TUNER_VERSION = 2;

/**
 * Tunes (cell, B, H) once per device on a hardware adapter; later calls and software adapters return at once.
 * With a `cache` (a store and the adapter's name), a choice stored for this adapter and shape is used without
 * timing anything, and a new choice is stored: a reload does not tune again. A failure leaves the default
 * tiles, and a store that cannot be read or written only costs a tuning: tuning is an optimisation, never a
 * reason a run cannot start.
 */
export async function ensureTuned(
  device: GPUDevice,
  software: boolean,
  cell: CellType,
  B: number,
  H: number,
  T: number,
  opts: {
    onStart?: () => void;
    cache?: { store: TileStore; adapter: string };
    /** The tuning itself (tests pass a stand-in): it must chooseTiles for the shape. */
    tune?: typeof tuneTiles;
  } = {},
): Promise<void> {
  const { onStart, cache, tune = tuneTiles } = opts;
  if (software || chosen.get(device)?.has(keyOf(cell, B, H))) return;
  const key = `v${TUNER_VERSION} ${cache?.adapter ?? ''} ${keyOf(cell, B, H)}`;
  if (cache) {
    const saved = storedChoice(await cache.store.get(key).catch(() => undefined), cell);
    if (saved) return chooseTiles(device, cell, B, H, saved.tiles, saved.segmented);
  }
  onStart?.();
  try {
    await tune(device, cell, B, H, T);
  } catch {
    chooseTiles(device, cell, B, H, DEFAULT_TILES);
    return;
  }
  const choice = { tiles: tilesFor(device, cell, B, H), segmented: tilesFor(device, cell, B, H, true) };
  await cache?.store.set(key, choice).catch(() => undefined);
}

/** A stored choice when both pairs are tiles this cell can run and segmented ones are segmentable, else null. */
export function storedChoice(
  raw: unknown,
  cell: CellType,
): { tiles: CellTiles; segmented: CellTiles } | null {
  const pair = (v: unknown): CellTiles | null => {
    const t = v as CellTiles | null;
    const tile = (x: unknown) => typeof x === 'object' && x !== null;
    return t && tile(t) && tile(t.forward) && tile(t.backward) && tileProblem(cell, t) === null ? t : null;
  };
  if (typeof raw !== 'object' || raw === null) return null;
  const { tiles, segmented } = raw as Record<string, unknown>;
  const t = pair(tiles);
  const s = pair(segmented);
  if (!t || !s || !segmentable(s.forward, 'forward') || !segmentable(s.backward, 'backward')) return null;
  return { tiles: t, segmented: s };
}

export interface TileTiming {
  tiles: CellTiles;
  /** Median milliseconds of T forward steps (with the initial state) and of T backward steps. */
  forwardMs: number;
  backwardMs: number;
}

export interface TuneResult {
  tiles: CellTiles;
  /** A 2-layer wavefront (forward + backward window, ms) against two layers stepped one by one. */
  wave: { ms: number; layerByLayerMs: number };
  timings: TileTiming[];
  /** How the candidates were timed: the GPU's timestamps, or wall clock around each submit. */
  timing: 'gpu-timestamp' | 'wall';
  /** Steps each timing covers (the window, capped at 64). */
  steps: number;
  ms: number;
}

/**
 * Times each candidate over T steps of one layer (T capped at 64: per-step cost is what differs) and records
 * the fastest forward and backward tiles for (cell, B, H) on this device.
 */
export async function tuneTiles(
  device: GPUDevice,
  cell: CellType,
  B: number,
  H: number,
  T: number,
  reps = 3,
): Promise<TuneResult> {
  const t0 = performance.now();
  const steps = Math.max(1, Math.min(T, 64));
  const bench = new LayerBench(device, cell, B, H, steps);
  const timings: TileTiming[] = [];
  try {
    // Compile every candidate at once (in parallel where the implementation can), then time one by one. A
    // candidate this device cannot compile (a subgroup tile where the WGSL compiler lacks subgroup_id, say)
    // is left out; the default always compiles.
    const compiled = await Promise.allSettled(
      tileCandidates(cell, B, H, device.features.has('subgroups')).map((t) =>
        cellKernelAsync(device, cell, t),
      ),
    );
    for (const k of compiled) if (k.status === 'fulfilled') timings.push(await bench.time(k.value, reps));
  } finally {
    bench.destroy();
  }
  // A candidate whose time could not be read (NaN) ranks last, never first.
  const ms = (t: TileTiming, phase: 'forwardMs' | 'backwardMs') =>
    Number.isFinite(t[phase]) ? t[phase] : Infinity;
  const fastest = (phase: 'forwardMs' | 'backwardMs'): Tile[] =>
    [...timings]
      .sort((a, b) => ms(a, phase) - ms(b, phase))
      .map((t) => t.tiles[phase === 'forwardMs' ? 'forward' : 'backward']);
  // The fastest pair of `usable` tiles that fits one module's workgroup memory (each candidate fits alone; a
  // pair nearly always): any tile for whole windows, segmentable ones for segmented windows, plain ones for
  // the wavefront.
  const best = (usable: (t: Tile, half: 'forward' | 'backward') => boolean): CellTiles => {
    for (const forward of fastest('forwardMs').filter((t) => usable(t, 'forward')))
      for (const backward of fastest('backwardMs').filter((t) => usable(t, 'backward')))
        if (!tileProblem(cell, { forward, backward })) return { forward, backward };
    return DEFAULT_TILES;
  };
  const fastestPair = best(() => true);
  // A stack of layers may step as one wavefront (plain tiles only): timed with the fastest plain pair for two
  // layers, against two layers one by one with the fastest pair of all (without the input and dx GEMMs the
  // wavefront also saves: a tie goes to the layers one by one).
  const plainPair = best(plainTile);
  const timeOf = (tile: Tile, phase: 'forwardMs' | 'backwardMs') =>
    timings.find((x) => x.tiles[phase === 'forwardMs' ? 'forward' : 'backward'] === tile)?.[phase] ?? NaN;
  const layerByLayerMs =
    2 * (timeOf(fastestPair.forward, 'forwardMs') + timeOf(fastestPair.backward, 'backwardMs'));
  // A wavefront that cannot be timed here only costs the wavefront, never the tiles just tuned.
  const waveMs = await timeWave(device, cell, B, H, steps, plainPair, reps).catch(() => NaN);
  const tiles = waveMs < layerByLayerMs ? { ...plainPair, wave: true } : fastestPair;
  chooseTiles(
    device,
    cell,
    B,
    H,
    tiles,
    best((t, half) => segmentable(t, half)),
  );
  return {
    tiles,
    wave: { ms: waveMs, layerByLayerMs },
    timings,
    timing: bench.rounds.timer.enabled ? 'gpu-timestamp' : 'wall',
    steps,
    ms: performance.now() - t0,
  };
}

/** A maker of tuner buffers (zeros of n floats, or the data given) that records them in `owned`. */
const ownedBuffer =
  (device: GPUDevice, owned: GPUBuffer[]) =>
  (label: string, data: Float32Array | Uint32Array | number): GPUBuffer => {
    const b =
      typeof data === 'number'
        ? createStorageBuffer(device, `tuner.${label}`, data)
        : createStorageBufferFrom(device, `tuner.${label}`, data);
    owned.push(b);
    return b;
  };

/**
 * Median milliseconds (forward + backward window) of a 2-layer wavefront with these tiles, on random weights
 * and zero inputs (values do not change the work); Infinity where the tiles cannot step one.
 */
async function timeWave(
  device: GPUDevice,
  cell: CellType,
  B: number,
  H: number,
  T: number,
  tiles: CellTiles,
  reps: number,
): Promise<number> {
  const k = waveKernel(device, cell, tiles);
  if (!k) return Infinity;
  const L = 2;
  const stack = waveStack(cell, L, T, B, H);
  const owned: GPUBuffer[] = [];
  const buf = ownedBuffer(device, owned);
  const rounds = new Rounds(device);
  try {
    const bound = 1 / Math.sqrt(H);
    const all = (n: keyof typeof stack.stride) => buf(n, L * stack.stride[n]);
    const call = k.prepare(
      stack.infos,
      {
        params: buf('params', new Rng(11).uniformArray(stack.params, -bound, bound)),
        gx: all('gx'),
        states: all('states'),
        act: all('act'),
        dabove: all('dabove'),
        dg: all('dg'),
        scratch: all('scratch'),
        grads: buf('grads', 1),
        rows: buf('rows', new Uint32Array(B).fill(RESET_ROW)),
      },
      'tuner.wave',
    );
    owned.push(call.uniform, call.steps);
    const ms: number[] = [];
    // The first round compiles and warms up; it is not counted.
    for (let r = 0; r <= reps; r++) {
      const [f, b] = await rounds.time(
        (pass) => k.encodeForward(pass, call),
        (pass) => k.encodeBackward(pass, call),
      );
      if (r > 0) ms.push(f + b);
    }
    return median(ms);
  } finally {
    for (const b of owned) b.destroy();
    rounds.destroy();
  }
}

/** One layer's buffers with random contents, and a timed forward pass and backward pass per candidate. */
class LayerBench {
  readonly rounds: Rounds;
  private readonly buffers: GPUBuffer[] = [];
  private readonly bufs;
  private readonly info;

  constructor(
    private readonly device: GPUDevice,
    private readonly cell: CellType,
    B: number,
    H: number,
    private readonly T: number,
  ) {
    const G = gateCount(cell);
    const N = T * B;
    const size = cellBufferFloats(cell, T, B, H, true); // room for W_hhᵀ: any candidate may be a subgroup tile
    const rng = new Rng(7);
    const bound = 1 / Math.sqrt(H);
    const weights = {
      weightHh: { offset: 0 },
      biasHh: { offset: G * H * H },
      ...(cell === 'lstm-peephole' ? { peephole: { offset: G * H * H + G * H } } : {}),
    };
    this.info = cellLayerInfo(T, B, H, G, weights, false);
    const nParams = G * H * H + G * H + 3 * H;
    const buf = ownedBuffer(device, this.buffers);
    this.bufs = {
      params: buf('params', rng.uniformArray(nParams, -bound, bound)),
      gx: buf('gx', rng.uniformArray(N * G * H)),
      states: buf('states', size.states),
      act: buf('act', size.act),
      dabove: buf('dabove', rng.uniformArray(N * H, -0.1, 0.1)),
      dg: buf('dg', size.dg),
      scratch: buf('scratch', size.scratch),
      grads: buf('grads', nParams),
      rows: buf('rows', new Uint32Array(B).fill(RESET_ROW)),
    };
    this.rounds = new Rounds(device);
  }

  async time(k: RecurrentCellKernel, reps: number): Promise<TileTiming> {
    const steps = k.createStepUniform(this.T);
    const layer = k.prepare(this.info, this.bufs, steps, 'tuner.layer');
    const fwd: number[] = [];
    const bwd: number[] = [];
    try {
      // The first round compiles and warms up; it is not counted.
      for (let r = 0; r <= reps; r++) {
        const [f, b] = await this.rounds.time(
          (pass) => {
            k.encodeInit(pass, layer);
            k.encodeForwardSteps(pass, layer, 0, this.T);
          },
          (pass) => k.encodeBackwardSteps(pass, layer, 0, this.T),
        );
        if (r === 0) continue;
        fwd.push(f);
        bwd.push(b);
      }
    } finally {
      steps.destroy();
      layer.uniform.destroy();
    }
    return { tiles: k.tiles, forwardMs: median(fwd), backwardMs: median(bwd) };
  }

  destroy(): void {
    for (const b of this.buffers) b.destroy();
    this.rounds.destroy();
  }
}

/** Times a forward and a backward pass: GPU timestamps where the device has them, else wall clock. */
class Rounds {
  readonly timer: GpuTimer;
  private readonly stamps: GPUBuffer;

  constructor(private readonly device: GPUDevice) {
    this.timer = new GpuTimer(device, 2);
    this.stamps = device.createBuffer({
      label: 'tuner.stamps',
      size: Math.max(8, this.timer.bytes),
      usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST,
    });
  }

  /** GPU milliseconds of the two passes (timestamps), else wall milliseconds of two separate submits. */
  async time(
    forward: (p: GPUComputePassEncoder) => void,
    backward: (p: GPUComputePassEncoder) => void,
  ): Promise<[number, number]> {
    const { device, timer } = this;
    if (!timer.begin()) {
      const wall = async (encode: (p: GPUComputePassEncoder) => void) => {
        const t0 = performance.now();
        const enc = device.createCommandEncoder({ label: 'tuner.encoder' });
        const pass = enc.beginComputePass({ label: 'tuner.pass' });
        encode(pass);
        pass.end();
        device.queue.submit([enc.finish()]);
        await device.queue.onSubmittedWorkDone();
        return performance.now() - t0;
      };
      return [await wall(forward), await wall(backward)];
    }
    const enc = device.createCommandEncoder({ label: 'tuner.encoder' });
    for (const [name, encode] of [
      ['forward', forward],
      ['backward', backward],
    ] as const) {
      const pass = enc.beginComputePass({ label: `tuner.${name}`, ...timer.passTimestamps(name) });
      encode(pass);
      pass.end();
    }
    const phases = timer.resolve(enc, this.stamps, 0);
    device.queue.submit([enc.finish()]);
    await this.stamps.mapAsync(GPUMapMode.READ);
    const times = GpuTimer.decode(phases, this.stamps.getMappedRange().slice(0), 0);
    this.stamps.unmap();
    return [times?.forward ?? NaN, times?.backward ?? NaN];
  }

  destroy(): void {
    this.stamps.destroy();
  }
}
