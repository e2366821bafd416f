import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acquireNodeDevice } from '../cli/dawn';
import { DEFAULT_TILES, tileCandidates } from '../core/tiles';
import { Engine } from './engine';
import { CharLM } from './lm';
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
    expect(tilesFor(device, 'gru', 4, 6)).toEqual(DEFAULT_TILES);
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

  it('a saved run resumes with the tiles it trained with, whatever this device chose since', async () => {
    const tiles = tileCandidates('rnn', 3, 6).find((t) => t.forward.sk > 1)!;
    chooseTiles(device, 'rnn', 3, 6, tiles);
    const text = 'abcab cabca bcabc '.repeat(20);
    const setup = { text, model: checkModel('rnn', { layers: 1 }), train: checkTrain(), device };
    const lm = CharLM.create(setup);
    lm.trainStep();
    const bytes = await lm.save();
    lm.dispose();
    chooseTiles(device, 'rnn', 3, 6, DEFAULT_TILES);
    const back = await CharLM.resume(bytes, text, device);
    expect((back.trainer as Engine).cellTiles).toEqual(tiles);
    back.dispose();
  });

  it('refuses tiles beyond the workgroup limits', () => {
    const big = { tj: 64, tb: 8, tk: 32, sk: 1 };
    expect(() => chooseTiles(device, 'rnn', 3, 6, { forward: big, backward: big })).toThrow(
      /256 invocations/,
    );
  });
});
