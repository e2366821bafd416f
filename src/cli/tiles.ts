// `--tiles auto|default|F/B` for the commands that train: which tile shapes the fused recurrent steps use
// (core/tiles.ts). auto (the default on a hardware adapter) times the candidates first
// (engine/tuner.ts, well under a second on a GPU); default keeps the shapes measured on the H100 (the
// default on a software adapter, where timings mean nothing); F/B names both, e.g. 8,8,32,1/32,8,32,1
// (units, sequences, K chunk, K split — forward / backward), with `,loop` for a loop tile (64,1,8,1,loop)
// and `,subgroups` for a subgroup forward tile (8,1,1,32,subgroups: invocations per unit in place of split).
import type { CellType } from '../core/config';
import { type CellTiles, DEFAULT_TILES, type Tile, describeTile, tileProblem } from '../core/tiles';
import { type TuneResult, chooseTiles, leftOutFor, tuneTiles } from '../engine/tuner';
import { type Args, UsageError } from './args';

export const TILES_FLAG = 'tiles';

/** The --tiles value, checked before anything runs (against the limits too when the cell is known). */
export function tilesMode(args: Args, software: boolean, cell?: CellType): 'auto' | 'default' | CellTiles {
  const v = args.str(TILES_FLAG, software ? 'default' : 'auto');
  if (v === 'auto' || v === 'default') return v;
  const tile = (s: string | undefined): Tile => {
    const parts = (s ?? '').split(',');
    const kind = parts.at(-1) === 'loop' ? 'loop' : parts.at(-1) === 'subgroups' ? 'subgroups' : null;
    const n = (kind ? parts.slice(0, -1) : parts).map(Number);
    if (n.length !== 4 || !n.every((x) => Number.isInteger(x) && x >= 1))
      throw new UsageError(
        `--tiles ${v}: expected auto, default, or F/B with F and B four whole numbers each (then ,loop for a loop tile or ,subgroups for a subgroup forward tile)`,
      );
    return { tj: n[0]!, tb: n[1]!, tk: n[2]!, sk: n[3]!, ...(kind ? { [kind]: true } : {}) };
  };
  const [f, b] = v.split('/');
  const tiles = { forward: tile(f), backward: tile(b) };
  const problem = cell && tileProblem(cell, tiles);
  if (problem) throw new UsageError(`--tiles ${v}: ${problem}`);
  return tiles;
}

/** Applies the mode for (cell, B, H) on this device; returns the tuner's result when it ran. */
export async function applyTiles(
  device: GPUDevice,
  mode: 'auto' | 'default' | CellTiles,
  cell: CellType,
  B: number,
  H: number,
  T: number,
): Promise<{ tiles: CellTiles; tuned?: TuneResult; leftOut: string[] }> {
  if (mode === 'auto') {
    const tuned = await tuneTiles(device, cell, B, H, T);
    // What the tuner left out, as the playground names it (its tiles and the wavefront alike).
    return { tiles: tuned.tiles, tuned, leftOut: leftOutFor(device, cell, B, H) };
  }
  const tiles = mode === 'default' ? DEFAULT_TILES : mode;
  if ((tiles.forward.subgroups || tiles.backward.subgroups) && !device.features.has('subgroups'))
    throw new UsageError(
      '--tiles: subgroup tiles need a GPU with the subgroups feature (and WGSL subgroup_id)',
    );
  try {
    chooseTiles(device, cell, B, H, tiles);
  } catch (e) {
    throw new UsageError(`--tiles: ${e instanceof Error ? e.message : String(e)}`);
  }
  return { tiles, leftOut: [] };
}

export const describeTiles = (t: CellTiles): string =>
  `forward ${describeTile(t.forward)}, backward ${describeTile(t.backward)}${t.wave ? ', wavefront' : ''}`;
