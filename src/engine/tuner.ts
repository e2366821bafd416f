// The tile tuner: times every candidate tile shape of the fused recurrent steps (core/tiles.ts)
// on the device at hand for one (cell, B, H) and remembers the fastest forward and backward shape per device,
// as cuDNN's algorithm search does. Engines built afterwards for that shape use the choice (tilesFor); until
// a shape is tuned, or on a software adapter where timings mean nothing, they use DEFAULT_TILES. Every
// candidate is a registry case checked against the reference, and on the device itself its outputs must agree
// with the default tile's (engine/tileCheck.ts) before it may be chosen, so tuning changes speed, never
// results beyond float rounding order.
import type { CellType } from '../core/config';
import {
  type CellTiles,
  DEFAULT_TILES,
  describeTile,
  type Tile,
  plainTile,
  tileCandidates,
  segmentable,
  tileProblem,
  withoutLoops,
  withoutSubgroups,
} from '../core/tiles';
import { type RecurrentCellKernel, cellKernelAsync } from '../gpu/kernels/recurrentCell';
import { TILE_TOLERANCE, disagreement } from './tileCheck';
import { type CandidateRun, LayerBench, timeWave } from './tuneBench';
import { waveDisagreement } from './waveCheck';

/** Per (cell, B, H): the tiles for whole windows, and for windows cut into segments (no loop tiles). */
const chosen = new WeakMap<
  GPUDevice,
  Map<string, { tiles: CellTiles; segmented: CellTiles; leftOut: string[] }>
>();
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
 * Tiles the tuner left out for (cell, B, H) on this device because their outputs differed from the default
 * tile's (TuneResult.leftOut, described): a sign of a driver or kernel fault the self-test should name.
 */
export function leftOutFor(device: GPUDevice, cell: CellType, B: number, H: number): string[] {
  return chosen.get(device)?.get(keyOf(cell, B, H))?.leftOut ?? [];
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
  leftOut: string[] = [],
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
  m.set(keyOf(cell, B, H), { tiles, segmented, leftOut });
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
export const TUNER_VERSION = 3;

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
    if (saved) return chooseTiles(device, cell, B, H, saved.tiles, saved.segmented, saved.leftOut);
  }
  onStart?.();
  try {
    await tune(device, cell, B, H, T);
  } catch {
    chooseTiles(device, cell, B, H, DEFAULT_TILES);
    return;
  }
  const choice = {
    tiles: tilesFor(device, cell, B, H),
    segmented: tilesFor(device, cell, B, H, true),
    leftOut: leftOutFor(device, cell, B, H),
  };
  await cache?.store.set(key, choice).catch(() => undefined);
}

/**
 * A stored choice when both pairs are tiles this cell can run and segmented ones are segmentable, else null
 * (what the tuner left out comes along where it was stored).
 */
export function storedChoice(
  raw: unknown,
  cell: CellType,
): { tiles: CellTiles; segmented: CellTiles; leftOut: string[] } | null {
  const pair = (v: unknown): CellTiles | null => {
    const t = v as CellTiles | null;
    const tile = (x: unknown) => typeof x === 'object' && x !== null;
    return t && tile(t) && tile(t.forward) && tile(t.backward) && tileProblem(cell, t) === null ? t : null;
  };
  if (typeof raw !== 'object' || raw === null) return null;
  const { tiles, segmented, leftOut } = raw as Record<string, unknown>;
  const t = pair(tiles);
  const s = pair(segmented);
  if (!t || !s || !segmentable(s.forward, 'forward') || !segmentable(s.backward, 'backward')) return null;
  const notes = Array.isArray(leftOut) ? leftOut.filter((x): x is string => typeof x === 'string') : [];
  return { tiles: t, segmented: s, leftOut: notes };
}

export interface TileTiming {
  tiles: CellTiles;
  /** Median milliseconds of T forward steps (with the initial state) and of T backward steps. */
  forwardMs: number;
  backwardMs: number;
  /**
   * How far its outputs were from the default tile's on this device (engine/tileCheck.ts disagreement): the
   * forward's, and the backward's (which reads the forward's, so it counts only where the forward agreed).
   */
  forwardError: number;
  backwardError: number;
}

/** A tile the tuner left out: its outputs for `phase` differed from the default tile's by `error`. */
export interface LeftOutTile {
  tile: Tile;
  phase: 'forward' | 'backward';
  error: number;
}

export interface TuneResult {
  tiles: CellTiles;
  /**
   * A 2-layer wavefront (forward + backward window, ms) against two layers stepped one by one, and where it
   * was faster, how far its gradients were from the layers one by one's (engine/waveCheck.ts; NaN: not
   * checked).
   */
  wave: { ms: number; layerByLayerMs: number; error: number };
  timings: TileTiming[];
  /** Candidates whose outputs disagreed with the default tile's (never chosen); empty on a sound device. */
  leftOut: LeftOutTile[];
  /** How the candidates were timed: the GPU's timestamps, or wall clock around each submit. */
  timing: 'gpu-timestamp' | 'wall';
  /** Steps each timing covers (the window, capped at 64). */
  steps: number;
  ms: number;
}

/**
 * Times each candidate over T steps of one layer (T capped at 64: per-step cost is what differs), leaves out
 * those whose outputs disagree with the default tile's (engine/tileCheck.ts), and records the fastest forward
 * and backward tiles for (cell, B, H) on this device. `opts` replaces the candidates or how their kernels are
 * made (tests: a kernel that skips work must never be chosen, however fast).
 */
export async function tuneTiles(
  device: GPUDevice,
  cell: CellType,
  B: number,
  H: number,
  T: number,
  reps = 3,
  opts: {
    candidates?: CellTiles[];
    kernel?: (tiles: CellTiles) => Promise<RecurrentCellKernel>;
    checkWave?: (tiles: CellTiles) => Promise<number>;
  } = {},
): Promise<TuneResult> {
  const t0 = performance.now();
  const steps = Math.max(1, Math.min(T, 64));
  const candidates = opts.candidates ?? tileCandidates(cell, B, H, device.features.has('subgroups'));
  const kernel = opts.kernel ?? ((t: CellTiles) => cellKernelAsync(device, cell, t));
  const bench = new LayerBench(device, cell, B, H, steps);
  const runs: CandidateRun[] = [];
  try {
    // Compile every candidate at once (in parallel where the implementation can), then time one by one. A
    // candidate this device cannot compile (a subgroup tile where the WGSL compiler lacks subgroup_id, say)
    // is left out; the default (the first candidate) always compiles, and its outputs are the yardstick.
    const compiled = await Promise.allSettled(candidates.map(kernel));
    for (const k of compiled) if (k.status === 'fulfilled') runs.push(await bench.time(k.value, reps));
  } finally {
    bench.destroy();
  }
  const base = runs[0]?.outputs;
  const timings: TileTiming[] = runs.map(({ timing, outputs }) => ({
    ...timing,
    forwardError: base ? disagreement(base.forward, outputs.forward) : 0,
    backwardError: base ? disagreement(base.backward, outputs.backward) : 0,
  }));
  const leftOut = leftOutTiles(timings);
  const best = (usable: (t: Tile, half: 'forward' | 'backward') => boolean) =>
    fastestAgreeing(cell, timings, usable);
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
  // Checked only where it would be chosen. A check that cannot run (its two small engines refused by a limit,
  // say) proves nothing: not chosen, as if not checked, and not named as a fault either.
  const check = opts.checkWave ?? ((t: CellTiles) => waveDisagreement(device, cell, B, H, t));
  const waveError = waveMs < layerByLayerMs ? await check(plainPair).catch(() => NaN) : NaN;
  const wave = { ms: waveMs, layerByLayerMs, error: waveError };
  const tiles = waveChosen(wave) ? { ...plainPair, wave: true } : fastestPair;
  const notes = leftOut.map((l) => `${l.phase} ${describeTile(l.tile)}`);
  if (waveError > TILE_TOLERANCE) notes.push(`the layer wavefront (${waveError.toPrecision(2)} off)`);
  chooseTiles(
    device,
    cell,
    B,
    H,
    tiles,
    best((t, half) => segmentable(t, half)),
    notes,
  );
  return {
    tiles,
    wave,
    timings,
    leftOut,
    timing: bench.rounds.timer.enabled ? 'gpu-timestamp' : 'wall',
    steps,
    ms: performance.now() - t0,
  };
}

/**
 * The wavefront is chosen where it was faster than two layers one by one and its gradients agreed with
 * theirs on this device (a tie, or a check that was not run, goes to the layers one by one).
 */
export function waveChosen(w: { ms: number; layerByLayerMs: number; error: number }): boolean {
  return w.ms < w.layerByLayerMs && w.error <= TILE_TOLERANCE;
}

/**
 * The fastest pair of `usable` tiles among candidates that agreed with the default (a backward counts only
 * where its forward agreed too) that fits one module's workgroup memory (each candidate fits alone; a pair
 * nearly always): any tile for whole windows, segmentable ones for segmented windows, plain ones for the
 * wavefront. A candidate whose time could not be read (NaN) ranks last, never first.
 */
export function fastestAgreeing(
  cell: CellType,
  timings: readonly TileTiming[],
  usable: (t: Tile, half: 'forward' | 'backward') => boolean,
): CellTiles {
  const agrees = (t: TileTiming, phase: 'forwardMs' | 'backwardMs') =>
    t.forwardError <= TILE_TOLERANCE && (phase === 'forwardMs' || t.backwardError <= TILE_TOLERANCE);
  const ms = (t: TileTiming, phase: 'forwardMs' | 'backwardMs') =>
    Number.isFinite(t[phase]) ? t[phase] : Infinity;
  const fastest = (phase: 'forwardMs' | 'backwardMs'): Tile[] =>
    timings
      .filter((t) => agrees(t, phase))
      .sort((a, b) => ms(a, phase) - ms(b, phase))
      .map((t) => t.tiles[phase === 'forwardMs' ? 'forward' : 'backward']);
  for (const forward of fastest('forwardMs').filter((t) => usable(t, 'forward')))
    for (const backward of fastest('backwardMs').filter((t) => usable(t, 'backward')))
      if (!tileProblem(cell, { forward, backward })) return { forward, backward };
  return DEFAULT_TILES;
}

/**
 * The tiles that disagreed, once each: a forward tile whose outputs differed, or a backward tile whose own
 * differed after its forward agreed. (A backward that ran after a disagreeing forward proves nothing either
 * way; it is chosen only where another candidate clears it.)
 */
function leftOutTiles(timings: readonly TileTiming[]): LeftOutTile[] {
  const seen = new Set<string>();
  const out: LeftOutTile[] = [];
  const add = (tile: Tile, phase: 'forward' | 'backward', error: number) => {
    const key = `${phase} ${JSON.stringify(tile)}`;
    if (seen.has(key)) return;
    seen.add(key);
    out.push({ tile, phase, error });
  };
  for (const t of timings) {
    if (t.forwardError > TILE_TOLERANCE || !(t.forwardError >= 0))
      add(t.tiles.forward, 'forward', t.forwardError);
    else if (t.backwardError > TILE_TOLERANCE || !(t.backwardError >= 0))
      add(t.tiles.backward, 'backward', t.backwardError);
  }
  return out;
}
