// The layer wavefront (gpu/kernels/recurrentWave.ts, engine option `wave`): every tile path against the
// float64 reference, the fallback where it cannot run, and many steps against the layer-by-layer engine.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acquireNodeDevice } from '../cli/dawn';
import { compareArrays } from '../core/tolerance';
import type { CellTiles } from '../core/tiles';
import { Engine } from './engine';
import { checkModel, checkTrain, fullIterationCheck, randomSteps } from './selfChecks';
import { chooseTiles } from './tuner';
import { SHADER_SOURCES } from '../gpu/shaders';
import { cellLayerInfo, layerWords } from '../gpu/kernels/cellLayout';

let device: GPUDevice;
beforeAll(async () => {
  device = (await acquireNodeDevice()).device;
});
afterAll(() => device?.destroy());

/** Two unit tiles and three sequence tiles per step, K in several chunks split two ways. */
const SMALL: CellTiles = {
  forward: { tj: 4, tb: 2, tk: 4, sk: 2 },
  backward: { tj: 4, tb: 2, tk: 8, sk: 2 },
};

describe('Engine: layer wavefront', () => {
  it("writes recurrent_cell.wgsl's Layer struct word for word, a multiple of 16 bytes (a uniform array's stride)", () => {
    const struct = /struct Layer \{([^}]*)\}/.exec(SHADER_SOURCES['recurrent_cell.wgsl'])![1]!;
    const fields = struct.split('\n').filter((line) => /^\s*\w+: u32,/.test(line));
    const info = cellLayerInfo(5, 3, 6, 4, { weightHh: { offset: 0 }, biasHh: { offset: 0 } }, false);
    expect(layerWords(info)).toHaveLength(fields.length);
    expect((fields.length * 4) % 16).toBe(0);
  });

  for (const cell of ['gru', 'lstm-peephole'] as const) {
    it(`${cell} 3×7, B 5 with several tiles per step and split K: one iteration equals the reference`, async () => {
      chooseTiles(device, cell, 5, 7, SMALL);
      const m = checkModel(cell, { layers: 3, hiddenSize: 7 });
      const label = `${cell} wavefront, small tiles`;
      // SGD: Adam's first step moves a weight whose gradient is near its ε by lr·g/(|g| + ε), which turns
      // rounding in a ~1e-8 gradient into a visible update; the gradients themselves are compared as well.
      const t = checkTrain({ batchSize: 5, optimizer: 'sgd', learningRate: 0.1 });
      const r = await fullIterationCheck(device, m, t, label, undefined, { wave: true });
      expect(r.ok, r.message).toBe(true);
    });
  }

  it('takes T + 2L − 2 dispatches each way instead of L·T, and no input or dx GEMM above layer 0', () => {
    const m = checkModel('lstm', { layers: 3 });
    const shape = (wave: boolean) => {
      const e = Engine.create(device, m, checkTrain(), { wave });
      const s = { ...e.stepShape(), wave: e.stepShape().wave };
      e.dispose();
      return s;
    };
    const byLayer = shape(false);
    const wave = shape(true);
    expect(byLayer.wave).toBe(false);
    expect(wave.wave).toBe(true);
    // T 5, L 3: 15 → 9 dispatches each way; two input projections and two dx GEMMs fewer.
    expect(byLayer.dispatches - wave.dispatches).toBe(2 * (15 - 9) + 2 + 2);
  });

  it('is left out where it cannot run: one layer, loop tiles, an encoder–decoder', () => {
    const uses = (model = checkModel('gru'), B = 3) => {
      const e = Engine.create(device, model, checkTrain({ batchSize: B }), { wave: true });
      const used = e.stepShape().wave;
      e.dispose();
      return used;
    };
    expect(uses()).toBe(true);
    expect(uses(checkModel('gru', { layers: 1 }))).toBe(false);
    expect(uses(checkModel('gru', { encoder: { vocabSize: 4 }, learnedInit: false }))).toBe(false);
    chooseTiles(device, 'gru', 2, 6, {
      forward: { tj: 8, tb: 2, tk: 8, sk: 1, loop: true },
      backward: { tj: 8, tb: 2, tk: 8, sk: 1 },
    });
    expect(uses(checkModel('gru'), 2)).toBe(false);
  });

  it('trains like the layer-by-layer engine over many steps: carried state, a new window, clipping', async () => {
    const m = checkModel('lstm', { layers: 2 });
    const run = async (wave: boolean) => {
      const e = Engine.create(device, m, checkTrain({ clipNorm: 0.5 }), { wave });
      const losses: number[] = [];
      e.events.on('metrics', (x) => losses.push(x.loss));
      let seed = 1;
      const steps = (n: number) => (seed = randomSteps(e, n, seed));
      steps(4);
      e.setConfig({ seqLen: 7, batchSize: 2 });
      steps(4);
      await e.flush();
      const params = await e.readParams();
      const state = await e.readState();
      e.dispose();
      return { losses, params, state };
    };
    const byLayer = await run(false);
    const wave = await run(true);
    expect(wave.losses).toHaveLength(8);
    const tol = { atol: 1e-5, rtol: 1e-4 };
    const checks = [
      compareArrays('losses', wave.losses, byLayer.losses, tol),
      compareArrays('params', wave.params, byLayer.params, tol),
      ...wave.state.h.map((h, l) => compareArrays(`carried h${l}`, h, byLayer.state.h[l]!, tol)),
      ...wave.state.c.map((c, l) => compareArrays(`carried c${l}`, c, byLayer.state.c[l]!, tol)),
    ];
    for (const c of checks) expect(c.ok, c.message).toBe(true);
  });
});
