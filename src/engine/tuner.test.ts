import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acquireNodeDevice, nodeGpu } from '../cli/dawn';
import type { CellType } from '../core/config';
import { type CellTiles, DEFAULT_TILES, describeTile, tileCandidates, withoutLoops } from '../core/tiles';
import { type RecurrentCellKernel, cellKernelAsync } from '../gpu/kernels/recurrentCell';
import { Engine } from './engine';
import { CharLM } from './lm';
import { ENGINE_CHECKS, checkModel, checkTrain, fullIterationCheck } from './selfChecks';
import {
  type TileStore,
  chooseTiles,
  ensureTuned,
  fastestAgreeing,
  leftOutFor,
  storedChoice,
  tilesFor,
  tuneTiles,
  waveChosen,
} from './tuner';
import { waveDisagreement } from './waveCheck';

let device: GPUDevice;
beforeAll(async () => {
  device = (await acquireNodeDevice()).device;
});
afterAll(() => device?.destroy());

describe('tile tuner', () => {
  it('times every candidate, records the fastest, and engines for that shape use it', async () => {
    const r = await tuneTiles(device, 'gru', 3, 6, 4, 1);
    // The test device has subgroups (SwiftShader does), so the subgroup tiles are among the candidates.
    expect(device.features.has('subgroups')).toBe(true);
    const candidates = tileCandidates('gru', 3, 6, true);
    expect(candidates.some((c) => c.forward.subgroups)).toBe(true);
    expect(r.timings.map((t) => t.tiles)).toEqual(candidates);
    for (const t of r.timings) expect(t.forwardMs > 0 && t.backwardMs > 0, JSON.stringify(t)).toBe(true);
    // Every candidate computes what the default computes on this device (summation order apart).
    expect(r.leftOut).toEqual([]);
    for (const t of r.timings) expect(Math.max(t.forwardError, t.backwardError)).toBeLessThan(1e-5);
    expect(r.timings[0]!.tiles).toEqual(DEFAULT_TILES);
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
    // The wavefront was timed too; where it won, the choice is the fastest plain pair with `wave`.
    expect(r.wave.ms > 0 && r.wave.layerByLayerMs > 0, JSON.stringify(r.wave)).toBe(true);
    expect(r.tiles.wave === true).toBe(waveChosen(r.wave));
    // Checked where it was faster (else not run: NaN).
    expect(r.wave.ms < r.wave.layerByLayerMs ? r.wave.error < 1e-5 : Number.isNaN(r.wave.error)).toBe(true);
    expect(engine.stepShape().wave).toBe(r.tiles.wave === true);
    engine.dispose();
  });

  it("a candidate whose outputs differ from the default tile's is never chosen, however fast", async () => {
    // Three candidates: the default, one whose forward runs only its first step and one whose backward runs
    // only its first (t = T−1): faster for doing less. Both must be found out and left out, and said so where
    // the playground shows the tiles (the ranking itself is the next test's).
    const [, a, b] = tileCandidates('lstm', 3, 6).filter((t) => !t.forward.loop && !t.forward.subgroups);
    const broken = (k: RecurrentCellKernel, phase: 'forward' | 'backward'): RecurrentCellKernel => {
      const w = Object.create(k) as RecurrentCellKernel;
      if (phase === 'forward')
        w.encodeForwardSteps = (pass, layer, s) => k.encodeForwardSteps(pass, layer, s, s + 1);
      else w.encodeBackwardSteps = (pass, layer, _s, e) => k.encodeBackwardSteps(pass, layer, e - 1, e);
      return w;
    };
    const kernel = async (t: CellTiles) => {
      const k = await cellKernelAsync(device, 'lstm', t);
      return t === a ? broken(k, 'forward') : t === b ? broken(k, 'backward') : k;
    };
    const r = await tuneTiles(device, 'lstm', 3, 6, 5, 1, { candidates: [DEFAULT_TILES, a!, b!], kernel });
    expect(r.timings.map((t) => [t.forwardError > 1e-3, t.backwardError > 1e-3])).toEqual([
      [false, false],
      [true, true],
      [false, true],
    ]);
    expect(r.leftOut.map((l) => [l.phase, l.tile])).toEqual([
      ['forward', a!.forward],
      ['backward', b!.backward],
    ]);
    expect(r.tiles.forward).not.toEqual(a!.forward);
    expect(r.tiles.backward).not.toEqual(b!.backward);
    expect(leftOutFor(device, 'lstm', 3, 6)).toEqual([
      `forward ${describeTile(a!.forward)}`,
      `backward ${describeTile(b!.backward)}`,
    ]);
  });

  it('ranks only candidates that agreed: a faster one that did not is passed over', () => {
    const [def, a, b] = tileCandidates('gru', 4, 8).filter((t) => !t.forward.loop && !t.forward.subgroups);
    const timing = (tiles: CellTiles, ms: number, forwardError: number, backwardError: number) => ({
      tiles,
      forwardMs: ms,
      backwardMs: ms,
      forwardError,
      backwardError,
    });
    const all = () => true;
    // a is fastest and sound: chosen whole. Disagreeing, its forward and backward are both passed over
    // (its backward read a wrong forward); b's forward still counts where only its backward disagreed.
    expect(
      fastestAgreeing('gru', [timing(def!, 3, 0, 0), timing(a!, 1, 0, 0), timing(b!, 2, 0, 0)], all),
    ).toEqual({ forward: a!.forward, backward: a!.backward });
    expect(
      fastestAgreeing('gru', [timing(def!, 3, 0, 0), timing(a!, 1, 0.5, 0), timing(b!, 2, 0, 0.5)], all),
    ).toEqual({ forward: b!.forward, backward: def!.backward });
    expect(fastestAgreeing('gru', [timing(def!, 3, 0, 0), timing(a!, 1, NaN, Infinity)], all)).toEqual({
      forward: def!.forward,
      backward: def!.backward,
    });
  });

  it('a wavefront is chosen only where it was faster and its gradients agreed with the layers one by one', async () => {
    expect(waveChosen({ ms: 1, layerByLayerMs: 2, error: 1e-7 })).toBe(true);
    expect(waveChosen({ ms: 1, layerByLayerMs: 2, error: 0.3 })).toBe(false);
    expect(waveChosen({ ms: 1, layerByLayerMs: 2, error: NaN })).toBe(false);
    expect(waveChosen({ ms: 2, layerByLayerMs: 2, error: 0 })).toBe(false);
    // On this device the wavefront and the layers one by one give the same gradients, for every cell...
    for (const cell of ['lstm', 'gru'] as const)
      expect(await waveDisagreement(device, cell, 3, 8, DEFAULT_TILES), cell).toBeLessThan(1e-5);
    // ...and a loop tile cannot step one: nothing to check.
    const loop = tileCandidates('gru', 3, 8).find((t) => t.forward.loop)!;
    expect(await waveDisagreement(device, 'gru', 3, 8, loop)).toBeNaN();
    // A wavefront whose check fails is left out and named where the tiles are shown.
    const r = await tuneTiles(device, 'rnn', 2, 4, 3, 1, {
      candidates: [DEFAULT_TILES],
      checkWave: async () => 0.2,
    });
    expect(r.tiles.wave).toBeUndefined();
    if (r.wave.ms < r.wave.layerByLayerMs)
      expect(leftOutFor(device, 'rnn', 2, 4)).toEqual(['the layer wavefront (0.20 off)']);
    // A check that cannot run leaves it out too, without naming a fault.
    const failed = await tuneTiles(device, 'rnn', 2, 4, 3, 1, {
      candidates: [DEFAULT_TILES],
      checkWave: () => Promise.reject(new Error('a limit')),
    });
    expect(failed.tiles.wave).toBeUndefined();
    expect(leftOutFor(device, 'rnn', 2, 4)).toEqual([]);
  });

  it('tiles that say `wave` make engines step a wavefront (an explicit option overrides), and a stored choice keeps it', async () => {
    const tiles = { ...DEFAULT_TILES, wave: true };
    chooseTiles(device, 'lstm-peephole', 3, 6, tiles);
    const m = checkModel('lstm-peephole');
    const r = await fullIterationCheck(device, m, checkTrain(), 'lstm-peephole, tuned wavefront');
    expect(r.ok, r.message).toBe(true);
    const uses = (wave?: boolean) => {
      const e = Engine.create(device, m, checkTrain(), wave === undefined ? {} : { wave });
      const used = e.stepShape().wave;
      e.dispose();
      return used;
    };
    expect([uses(), uses(false)]).toEqual([true, false]);
    expect(storedChoice({ tiles, segmented: DEFAULT_TILES }, 'lstm')?.tiles).toEqual(tiles);
    const loop = tileCandidates('lstm', 1, 6).find((t) => t.forward.loop)!;
    expect(storedChoice({ tiles: { ...loop, wave: true }, segmented: DEFAULT_TILES }, 'lstm')).toBeNull();
    expect(
      storedChoice({ tiles: { ...DEFAULT_TILES, wave: 1 }, segmented: DEFAULT_TILES }, 'lstm'),
    ).toBeNull();
  });

  it('a whole iteration with split-K tiles still equals the float64 reference', async () => {
    const [, splitK] = tileCandidates('lstm', 3, 6).filter((t) => t.forward.sk > 1 && t.backward.sk > 1);
    expect(splitK).toBeDefined();
    chooseTiles(device, 'lstm', 3, 6, splitK!);
    const r = await fullIterationCheck(device, checkModel('lstm'), checkTrain(), 'lstm with split-K tiles');
    expect(r.ok, r.message).toBe(true);
  });

  it('whole iterations with subgroup tiles equal the float64 reference (two layers, bidirectional, encoder–decoder)', async () => {
    const sg = tileCandidates('gru', 3, 6, true).find((t) => t.forward.subgroups && t.backward.subgroups);
    expect(sg).toBeDefined();
    chooseTiles(device, 'gru', 3, 6, sg!);
    const r = await fullIterationCheck(device, checkModel('gru'), checkTrain(), 'gru with subgroup tiles');
    expect(r.ok, r.message).toBe(true);
    // The reverse direction shares scratch (and its W_hhᵀ region) with the forward layer.
    const bi = ENGINE_CHECKS.find((c) => c.label.startsWith('bidirectional step gru'))!;
    expect((await bi.run(device)).ok).toBe(true);
    // Segmented windows get subgroup tiles here on purpose (withoutLoops keeps them from it in use): the
    // encoder's last backward step reads the decoder's W_hh (the handoff), transposed for that step alone.
    chooseTiles(device, 'gru', 3, 6, sg!, sg!);
    const s2s = ENGINE_CHECKS.find((c) => c.label.startsWith('seq2seq step gru'))!;
    const r2 = await s2s.run(device);
    expect(r2.ok, r2.message).toBe(true);
  });

  it('a device without subgroups gets the default shapes for subgroup tiles (a file from another GPU loads)', async () => {
    const plain = await (await nodeGpu().requestAdapter())!.requestDevice();
    try {
      expect(plain.features.has('subgroups')).toBe(false);
      const sg = tileCandidates('lstm', 3, 6, true).find((t) => t.forward.subgroups && t.backward.subgroups)!;
      chooseTiles(plain, 'lstm', 3, 6, sg);
      // What engines on this device compile (Engine takes tilesFor); on a device with subgroups, sg stays.
      expect(tilesFor(plain, 'lstm', 3, 6)).toEqual(DEFAULT_TILES);
      expect(tilesFor(plain, 'lstm', 3, 6, true)).toEqual(DEFAULT_TILES);
      chooseTiles(device, 'lstm', 3, 6, sg);
      expect(tilesFor(device, 'lstm', 3, 6)).toEqual(sg);
    } finally {
      plain.destroy();
    }
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

describe('tile tuner: choices kept across reloads', () => {
  // Tuning for real takes SwiftShader ~13 s of compiles (the first test above does it); these test what is
  // stored and read around it, so a stand-in "tunes" by choosing the last candidate.
  const tune = async (d: GPUDevice, cell: CellType, B: number, H: number) => {
    const tiles = tileCandidates(cell, B, H).at(-1)!;
    chooseTiles(d, cell, B, H, tiles);
    return {
      tiles,
      timings: [],
      leftOut: [],
      timing: 'wall' as const,
      steps: 1,
      ms: 0,
      wave: { ms: NaN, layerByLayerMs: NaN, error: NaN },
    };
  };
  const mapStore = () => {
    const m = new Map<string, unknown>();
    const store: TileStore = { get: async (k) => m.get(k), set: async (k, v) => void m.set(k, v) };
    return { m, store };
  };

  it('a choice stored on one device is used by the next (a reload) without timing anything', async () => {
    const { m, store } = mapStore();
    const cache = { store, adapter: 'test adapter' };
    let tunings = 0;
    await ensureTuned(device, false, 'lstm', 2, 5, 3, { onStart: () => tunings++, cache, tune });
    expect(tunings).toBe(1);
    const stored = [...m.values()];
    expect(stored).toEqual([
      {
        tiles: tilesFor(device, 'lstm', 2, 5),
        segmented: tilesFor(device, 'lstm', 2, 5, true),
        leftOut: [],
      },
    ]);
    const reloaded = (await acquireNodeDevice()).device;
    try {
      await ensureTuned(reloaded, false, 'lstm', 2, 5, 3, { onStart: () => tunings++, cache, tune });
      expect(tunings).toBe(1);
      expect(tilesFor(reloaded, 'lstm', 2, 5)).toEqual(tilesFor(device, 'lstm', 2, 5));
      expect(tilesFor(reloaded, 'lstm', 2, 5, true)).toEqual(tilesFor(device, 'lstm', 2, 5, true));
    } finally {
      reloaded.destroy();
    }
    // Another adapter's choice is not this one's.
    const other = (await acquireNodeDevice()).device;
    try {
      const cacheB = { store, adapter: 'another adapter' };
      await ensureTuned(other, false, 'lstm', 2, 5, 3, { onStart: () => tunings++, cache: cacheB, tune });
      expect(tunings).toBe(2);
      expect(m.size).toBe(2);
    } finally {
      other.destroy();
    }
  });

  it('an unusable stored choice, or a store that fails, costs a tuning and nothing else', async () => {
    const { m, store } = mapStore();
    let tunings = 0;
    const key = (k: string) => [...m.keys()].find((x) => x.includes(k));
    await ensureTuned(device, false, 'gru', 1, 3, 2, {
      onStart: () => tunings++,
      cache: { store, adapter: 'a' },
      tune,
    });
    const good = m.get(key('gru B1 H3')!);
    expect(storedChoice(good, 'gru')).not.toBeNull();
    const broken = (await acquireNodeDevice()).device;
    try {
      m.set(key('gru B1 H3')!, { tiles: { forward: { tj: 999, tb: 1, tk: 1, sk: 1 } }, segmented: 'x' });
      await ensureTuned(broken, false, 'gru', 1, 3, 2, {
        onStart: () => tunings++,
        cache: { store, adapter: 'a' },
        tune,
      });
      expect(tunings).toBe(2);
      expect(storedChoice(m.get(key('gru B1 H3')!), 'gru')).not.toBeNull(); // replaced by the new choice
      const failing: TileStore = {
        get: () => Promise.reject(new Error('no IndexedDB')),
        set: () => Promise.reject(new Error('quota')),
      };
      await ensureTuned(broken, false, 'gru', 2, 3, 2, {
        onStart: () => tunings++,
        cache: { store: failing, adapter: 'a' },
        tune,
      });
      expect(tunings).toBe(3);
      expect(tilesFor(broken, 'gru', 2, 3)).not.toBe(DEFAULT_TILES);
    } finally {
      broken.destroy();
    }
  });

  it('storedChoice accepts only runnable pairs, and no loop tile for segmented windows', () => {
    const loop = tileCandidates('lstm', 1, 8).find((t) => t.forward.loop)!;
    expect(storedChoice({ tiles: loop, segmented: DEFAULT_TILES }, 'lstm')).toEqual({
      tiles: loop,
      segmented: DEFAULT_TILES,
      leftOut: [],
    });
    // What the tuner left out comes back with the choice (strings only: it is shown, never run).
    const noted = { tiles: loop, segmented: DEFAULT_TILES, leftOut: ['forward 8u×8b k32/1', 3] };
    expect(storedChoice(noted, 'lstm')?.leftOut).toEqual(['forward 8u×8b k32/1']);
    for (const bad of [
      undefined,
      null,
      'tiles',
      { tiles: DEFAULT_TILES },
      { tiles: DEFAULT_TILES, segmented: loop },
      { tiles: { forward: DEFAULT_TILES.forward, backward: null }, segmented: DEFAULT_TILES },
      { tiles: { ...DEFAULT_TILES, forward: { tj: '8', tb: 8, tk: 32, sk: 1 } }, segmented: DEFAULT_TILES },
      {
        tiles: { forward: { tj: 64, tb: 8, tk: 32, sk: 1 }, backward: DEFAULT_TILES.backward },
        segmented: DEFAULT_TILES,
      },
    ])
      expect(storedChoice(bad, 'lstm'), JSON.stringify(bad)).toBeNull();
  });
});
