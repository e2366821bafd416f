import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acquireNodeDevice } from '../cli/dawn';
import { DEFAULT_TILES, tileCandidates } from '../gpu/kernels/cellTiles';
import { Engine } from './engine';
import { checkModel, checkTrain, fullIterationCheck } from './selfChecks';
import { chooseTiles, tilesFor, tuneTiles } from './tuner';

let device: GPUDevice;
beforeAll(async () => {
  device = (await acquireNodeDevice()).device;
});
afterAll(() => device?.destroy());

describe('tile tuner', () => {
  it('times every candidate, records the fastest, and engines for that shape use it', async () => {
    const r = await tuneTiles(device, 'gru', 3, 6, 4, 1);
    const candidates = tileCandidates('gru', 3, 6);
    expect(r.timings.map((t) => t.tiles)).toEqual(candidates);
    for (const t of r.timings) expect(t.forwardMs > 0 && t.backwardMs > 0, JSON.stringify(t)).toBe(true);
    expect(candidates.map((c) => c.forward)).toContainEqual(r.tiles.forward);
    expect(candidates.map((c) => c.backward)).toContainEqual(r.tiles.backward);
    expect(tilesFor(device, 'gru', 3, 6)).toEqual(r.tiles);
    expect(tilesFor(device, 'gru', 4, 6)).toBe(DEFAULT_TILES);
    const engine = Engine.create(device, checkModel('gru'), checkTrain());
    expect(engine.cellTiles).toEqual(r.tiles);
    engine.dispose();
  });

  it('a whole iteration with split-K tiles still equals the float64 reference', async () => {
    const [, splitK] = tileCandidates('lstm', 3, 6).filter((t) => t.forward.sk > 1 && t.backward.sk > 1);
    expect(splitK).toBeDefined();
    chooseTiles(device, 'lstm', 3, 6, splitK!);
    const r = await fullIterationCheck(device, checkModel('lstm'), checkTrain(), 'lstm with split-K tiles');
    expect(r.ok, r.message).toBe(true);
  });

  it('refuses tiles beyond the workgroup limits', () => {
    const big = { tj: 64, tb: 8, tk: 32, sk: 1 };
    expect(() => chooseTiles(device, 'rnn', 3, 6, { forward: big, backward: big })).toThrow(
      /256 invocations/,
    );
  });
});
