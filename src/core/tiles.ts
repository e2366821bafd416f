// Tile shapes of recurrent_cell.wgsl's fused steps, as override constants. Which shape is fastest depends on
// the adapter, the cell's gate count, the batch and the hidden size (a per-step GEMM of B × G·H × H is too
// small to fill a GPU one way for every shape), so the engine takes a shape, the tuner (engine/tuner.ts)
// times candidates on the adapter at hand, and every candidate the tuner can pick is a registry case
// checked against the reference (recurrentCell.cases.ts).
import { type CellType, gateCount } from './config';

/** A forward or backward tile: units × sequences per workgroup, K chunk, and the split of K per output. */
export interface Tile {
  /** Units per workgroup (forward: all G gates of each). */
  tj: number;
  /** Sequences per workgroup. */
  tb: number;
  /** Terms of the recurrent dot product staged per chunk. */
  tk: number;
  /** Invocations sharing one output, each summing every sk-th term (split K). */
  sk: number;
  /**
   * One dispatch runs the whole window: each workgroup owns tb sequences and every unit (tj at a time) and
   * loops over t (recurrent_cell.wgsl cell_forward_loop). Removes T − 1 dispatches per layer and keeps a
   * sequence's state in one workgroup; costs parallelism (B / tb workgroups), so it pays at small B and H.
   */
  loop?: boolean;
  /**
   * On devices with subgroups: one subgroup per unit and tb (≤ 4) sequences, its lanes striding over K and
   * subgroupAdd summing them (recurrent_cell_subgroups.wgsl); no workgroup memory and no barrier, for small
   * batches. The backward reads W_hhᵀ, transposed into scratch once per window. sk is the invocations
   * provisioned per unit (the workgroup has sk·tj; the subgroup's width is the actual split, and subgroups
   * walk the units when there are fewer of them); tk is unused (1).
   */
  subgroups?: boolean;
}

export interface CellTiles {
  forward: Tile;
  backward: Tile;
  /**
   * Step a stack of two or more layers as one wavefront (gpu/kernels/recurrentWave.ts) with these (plain)
   * tiles: the tuner sets it where the device runs the wavefront faster than the layers one by one.
   */
  wave?: boolean;
}

/** The shapes measured on the H100 in the session that tiled the steps (docs/BENCHMARKS.md). */
export const DEFAULT_TILES: CellTiles = {
  forward: { tj: 8, tb: 8, tk: 32, sk: 1 },
  backward: { tj: 32, tb: 8, tk: 32, sk: 1 },
};

/** WebGPU's default limits, which every adapter grants. */
const MAX_THREADS = 256;
const MAX_WORKGROUP_FLOATS = 16384 / 4;

/** Invocations computing a forward tile: one per (gate row, sequence, K share). */
const forwardWork = (cell: CellType, f: Tile): number => gateCount(cell) * f.tj * f.tb * f.sk;
/**
 * Invocations of a forward workgroup: as many as an LSTM's tile would have (up to 256), so a GRU or RNN
 * tile has spare invocations that only help stage the weights — the shapes measured on the H100.
 */
const forwardThreads = (cell: CellType, f: Tile): number =>
  f.subgroups ? f.sk * f.tj : Math.max(forwardWork(cell, f), Math.min(MAX_THREADS, 4 * f.tj * f.tb * f.sk));
/** Invocations per unit the subgroup candidates provision: a common subgroup width (any width works). */
const SUBGROUP_LANES = 32;
const backwardThreads = (b: Tile): number => (b.subgroups ? b.sk * b.tj : b.tj * b.tb * b.sk);

/** The override constants of recurrent_cell.wgsl for these tiles. */
export function tileConstants(cell: CellType, tiles: CellTiles): Record<string, number> {
  const { forward: f, backward: b } = tiles;
  const G = gateCount(cell);
  const fwd = f.subgroups ? 0 : 1;
  const bwd = b.subgroups ? 0 : 1;
  return {
    FWD_TJ: f.tj,
    FWD_TB: f.tb,
    FWD_TK: f.tk,
    FWD_SK: f.sk,
    BWD_TJ: b.tj,
    BWD_TB: b.tb,
    BWD_TK: b.tk,
    BWD_SK: b.sk,
    FWD_THREADS: forwardThreads(cell, f),
    BWD_THREADS: backwardThreads(b),
    // Subgroup tiles use no workgroup memory (an array still needs one element).
    W_TILE: Math.max(fwd * G * f.tj * (f.tk + 1), bwd * b.tk * b.tj, 1),
    V_TILE: Math.max(fwd * f.tb * (f.tk + 1), bwd * b.tb * (b.tk + 1), 1),
    R_TILE: Math.max(fwd * G * f.tj * f.tb * f.sk, bwd * b.tj * b.tb * b.sk, 1),
  };
}

/**
 * A tile that can step a layer wavefront: no loop tile (it owns a whole window), no subgroup tile (it stages
 * no GEMM for the projections between layers to share).
 */
export const plainTile = (t: Tile): boolean => !t.loop && !t.subgroups;
const plain = (t: CellTiles): boolean => plainTile(t.forward) && plainTile(t.backward);

/** Why these tiles cannot run (thread or workgroup-memory limits, zero sizes), or null. */
export function tileProblem(cell: CellType, tiles: CellTiles): string | null {
  const c = tileConstants(cell, tiles);
  for (const [name, t] of [
    ['forward', tiles.forward],
    ['backward', tiles.backward],
  ] as const) {
    if (![t.tj, t.tb, t.tk, t.sk].every((v) => Number.isInteger(v) && v >= 1))
      return `${name} tile sizes must be whole numbers ≥ 1`;
    if (t.loop !== undefined && typeof t.loop !== 'boolean')
      return `${name} tile: loop must be true or false`;
    if (t.subgroups !== undefined && typeof t.subgroups !== 'boolean')
      return `${name} tile: subgroups must be true or false`;
  }
  for (const t of [tiles.forward, tiles.backward])
    if (t.subgroups && (t.loop || t.tb > 4 || t.tk !== 1))
      return 'a subgroup tile runs one step per dispatch with 1–4 sequences and K chunk 1';
  if (tiles.wave !== undefined && typeof tiles.wave !== 'boolean') return 'wave must be true or false';
  if (tiles.wave && !plain(tiles)) return 'a layer wavefront steps with plain tiles (no loop, no subgroups)';
  const fwdThreads = tiles.forward.subgroups ? c.FWD_THREADS! : forwardWork(cell, tiles.forward);
  if (fwdThreads > MAX_THREADS || c.BWD_THREADS! > MAX_THREADS)
    return `more than ${MAX_THREADS} invocations per workgroup`;
  if (c.W_TILE! + c.V_TILE! + c.R_TILE! > MAX_WORKGROUP_FLOATS) return 'more than 16 KiB of workgroup memory';
  return null;
}

const pow2AtMost = (n: number): number => 2 ** Math.floor(Math.log2(Math.max(1, n)));

/**
 * Tiles worth timing for a (cell, B, H) step: the default, and for each unit count and sequence count
 * (never more sequences than the batch has) the split of K that fills the workgroup. A chunk holds at least
 * four terms per invocation so the barriers stay amortised. Forward and backward shapes are timed
 * independently, so the list pairs them up only to keep its length the larger of the two.
 */
export function tileCandidates(cell: CellType, B: number, H: number, subgroups = false): CellTiles[] {
  const G = gateCount(cell);
  const tbs = [...new Set([pow2AtMost(Math.min(B, 8)), pow2AtMost(Math.min(B, 2))])];
  const fwd: Tile[] = [];
  const bwd: Tile[] = [];
  for (const tb of tbs) {
    for (const tj of [2, 4, 8, 16]) {
      if (tj > pow2AtMost(H) * 2) continue;
      const sk = Math.max(1, pow2AtMost(MAX_THREADS / (G * tj * tb)));
      if (G * tj * tb * sk <= MAX_THREADS) fwd.push({ tj, tb, tk: Math.max(32, 4 * sk), sk });
    }
    // The backward's K is G·H (1024 terms at H 256): with 32-term chunks a step waits on 32 rounds of loads
    // and barriers, so split shapes also come with 128-term chunks (8 rounds).
    for (const tj of [8, 16, 32, 64]) {
      const sk = Math.max(1, pow2AtMost(MAX_THREADS / (tj * tb)));
      if (tj * tb * sk > MAX_THREADS) continue;
      for (const tk of new Set([Math.max(32, 4 * sk), ...(sk > 1 ? [Math.max(128, 4 * sk)] : [])]))
        bwd.push({ tj, tb, tk, sk });
    }
  }
  const all: CellTiles[] = [DEFAULT_TILES];
  const n = Math.max(fwd.length, bwd.length);
  for (let i = 0; i < n; i++) all.push({ forward: fwd[i % fwd.length]!, backward: bwd[i % bwd.length]! });
  return [
    ...all.filter((t) => tileProblem(cell, t) === null),
    ...loopCandidates(cell, B, H),
    ...(subgroups ? subgroupCandidates(B).filter((t) => tileProblem(cell, t) === null) : []),
  ];
}

/**
 * Subgroup tiles worth timing where the device has subgroups (Tile.subgroups): up to 4 sequences per
 * subgroup (the batch's, as a power of two), 2–8 units per workgroup of 32 invocations each.
 */
function subgroupCandidates(B: number): CellTiles[] {
  const tb = pow2AtMost(Math.min(B, 4));
  return [2, 4, 8].map((tj) => {
    const tile: Tile = { tj, tb, tk: 1, sk: SUBGROUP_LANES, subgroups: true };
    return { forward: tile, backward: tile };
  });
}

/**
 * Loop tiles worth timing (Tile.loop): one or a few sequences per workgroup, as many units as the
 * invocations allow, with and without a K split; the K chunk is the largest that fits workgroup memory.
 */
function loopCandidates(cell: CellType, B: number, H: number): CellTiles[] {
  const G = gateCount(cell);
  const units = (n: number) => Math.max(1, Math.min(pow2AtMost(n), 2 * pow2AtMost(H)));
  const out: CellTiles[] = [];
  for (const tb of new Set([1, pow2AtMost(Math.min(B, 4))]))
    for (const sk of [1, 4]) {
      const tjF = units(MAX_THREADS / (G * tb * sk));
      const tjB = units(MAX_THREADS / (tb * sk));
      for (const tk of [64, 32, 16, 8, 4]) {
        const tiles: CellTiles = {
          forward: { tj: tjF, tb, tk, sk, loop: true },
          backward: { tj: tjB, tb, tk, sk, loop: true },
        };
        if (tk >= sk && tileProblem(cell, tiles) === null) {
          out.push(tiles);
          break;
        }
      }
    }
  return out;
}

/**
 * The tiles with loop shapes (and a subgroup backward) replaced by the defaults: for models whose windows
 * are cut into segments (an encoder–decoder's two stacks, attention between decoder steps), where a loop
 * tile would run one step per dispatch on B / tb workgroups and a subgroup backward would transpose W_hh
 * per step. (The tuner records its best such pair instead: engine/tuner.ts.)
 */
export const withoutLoops = (t: CellTiles): CellTiles => ({
  forward: segmentable(t.forward, 'forward') ? t.forward : DEFAULT_TILES.forward,
  backward: segmentable(t.backward, 'backward') ? t.backward : DEFAULT_TILES.backward,
});

/** Whether a forward or backward tile may step a window cut into segments (the rule withoutLoops applies). */
export const segmentable = (t: Tile, half: 'forward' | 'backward'): boolean =>
  !t.loop && !(half === 'backward' && t.subgroups);

/** The tiles with subgroup shapes replaced by the defaults: for devices without the subgroups feature. */
export const withoutSubgroups = (t: CellTiles): CellTiles => ({
  ...t,
  forward: t.forward.subgroups ? DEFAULT_TILES.forward : t.forward,
  backward: t.backward.subgroups ? DEFAULT_TILES.backward : t.backward,
});

/** The two tile shapes alone: what kernels compile (`wave` only says how plans use them). */
export const shapesOf = (t: CellTiles): CellTiles => ({ forward: t.forward, backward: t.backward });

/** Whether these tiles can step a layer wavefront (gpu/kernels/recurrentWave.ts). */
export const waveable = (cell: CellType, tiles: CellTiles): boolean =>
  plain(tiles) && tileProblem(cell, tiles) === null;

export const describeTile = (t: Tile): string =>
  t.subgroups
    ? `${t.tj}u×${t.tb}b subgroups ×${t.sk}`
    : `${t.tj}u×${t.tb}b k${t.tk}/${t.sk}${t.loop ? ' loop' : ''}`;
