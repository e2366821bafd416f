import { describe, expect, it } from 'vitest';
import { type CellTiles, DEFAULT_TILES } from '../core/tiles';
import { Args } from './args';
import { TILES_FLAG, tilesMode } from './tiles';

describe('Args', () => {
  it('parses flags, values and defaults', () => {
    const a = new Args(['--suite', '--steps', '30', '--cell=lstm'], ['suite', 'steps', 'cell', 'hidden']);
    expect(a.flag('suite')).toBe(true);
    expect(a.int('steps', 5)).toBe(30);
    expect(a.str('cell', 'rnn')).toBe('lstm');
    expect(a.int('hidden', 128)).toBe(128);
  });

  it('rejects unknown options and bad numbers', () => {
    expect(() => new Args(['--nope'], ['steps'])).toThrow(/unknown option --nope/);
    expect(() => new Args(['--steps', '-3'], ['steps']).int('steps', 1)).toThrow(/positive integer/);
  });
});

describe('--tiles', () => {
  const mode = (v: string) => tilesMode(new Args(['--tiles', v], [TILES_FLAG]), true, 'lstm');
  it('names plain, loop and subgroup tiles, and refuses shapes the limits forbid', () => {
    expect(mode('8,8,32,1/32,8,32,1')).toEqual(DEFAULT_TILES);
    expect(mode('64,1,8,1,loop/32,8,32,1')).toEqual({
      forward: { tj: 64, tb: 1, tk: 8, sk: 1, loop: true },
      backward: DEFAULT_TILES.backward,
    });
    expect(mode('8,2,1,32,subgroups/32,8,32,1')).toEqual({
      forward: { tj: 8, tb: 2, tk: 1, sk: 32, subgroups: true },
      backward: DEFAULT_TILES.backward,
    });
    expect(() => mode('8,8,1,32,subgroups/32,8,32,1')).toThrow(/1–4 sequences/);
    expect((mode('8,8,32,1/4,1,1,32,subgroups') as CellTiles).backward).toEqual({
      tj: 4,
      tb: 1,
      tk: 1,
      sk: 32,
      subgroups: true,
    });
    expect(() => mode('8,8,32,1/4,1,32,32,subgroups')).toThrow(/K chunk 1/);
    expect(mode('default')).toBe('default');
    expect(() => mode('64,1,8,1,lop/32,8,32,1')).toThrow(/then ,loop/);
    expect(() => mode('64,1,32,1,loop/32,8,32,1')).toThrow(/16 KiB/);
  });
});
