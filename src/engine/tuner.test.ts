import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acquireNodeDevice } from '../cli/dawn';
import { DEFAULT_TILES, tileCandidates, withoutLoops } from '../core/tiles';
import { Engine } from './engine';
import { CharLM } from './lm';
import { ENGINE_CHECKS, checkModel, checkTrain, fullIterationCheck } from './selfChecks';
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
    // Segmented windows (encoder–decoders) get the fastest pair without loop tiles.
    const segmented = tilesFor(device, 'gru', 3, 6, true);
    expect(segmented.forward.loop || segmented.backward.loop).toBeFalsy();
    expect(candidates.map((c) => c.forward)).toContainEqual(segmented.forward);
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

  it('whole iterations with loop tiles (one dispatch per layer and direction) equal the float64 reference', async () => {
    // B 3 with two sequences per workgroup leaves a partial sequence tile; H 6 fits one unit tile.
    const loops = (cell: 'lstm-peephole' | 'gru') =>
      tileCandidates(cell, 3, 6).find((t) => t.forward.loop && t.forward.tb === 2 && t.forward.sk > 1)!;
    for (const [cell, label] of [
      ['lstm-peephole', 'train step lstm-peephole 2×6, T 5, B 3, Adam'],
      ['gru', 'bidirectional step gru 1×6: a tag per step (mirrored rows)'],
    ] as const) {
      const tiles = loops(cell);
      expect(tiles.backward.loop).toBe(true);
      chooseTiles(device, cell, 3, 6, tiles);
      const check = ENGINE_CHECKS.find((c) => c.label === label)!;
      const r = await check.run(device);
      expect(r.ok, r.message).toBe(true);
    }
  });

  it('an encoder–decoder steps its segments with per-step tiles where loop tiles were chosen', async () => {
    const tiles = tileCandidates('gru', 3, 6).find((t) => t.forward.loop)!;
    chooseTiles(device, 'gru', 3, 6, tiles);
    const model = checkModel('gru', { encoder: { vocabSize: 4 }, learnedInit: false });
    const engine = Engine.create(device, model, checkTrain());
    expect(engine.cellTiles).toEqual(withoutLoops(tiles));
    expect(engine.cellTiles.forward.loop).toBeUndefined();
    engine.dispose();
    const check = ENGINE_CHECKS.find((c) => c.label.startsWith('seq2seq step gru'))!;
    const r = await check.run(device);
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
