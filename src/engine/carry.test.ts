// Truncated BPTT on the GPU: the state carried across windows (and reset at epoch starts) follows the float64
// reference trainer, differs from resetting every window, and survives readState/writeState exactly.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acquireNodeDevice } from '../cli/dawn';
import { StreamBatcher } from '../core/batches';
import { Rng } from '../core/rng';
import { ReferenceTrainer } from '../reference/trainer';
import { Engine } from './engine';
import { checkModel, checkTrain } from './selfChecks';

let device: GPUDevice;
beforeAll(async () => {
  device = (await acquireNodeDevice()).device;
});
afterAll(() => device?.destroy());

/** 3 windows per epoch for B 3, T 5: 8 steps cross two epoch starts. */
const tokens = (seed: number) => {
  const rng = new Rng(seed);
  return Uint32Array.from({ length: 3 * 17 }, () => Math.floor(rng.next() * 7));
};

async function gpuLosses(engine: Engine, batcher: StreamBatcher, steps: number): Promise<number[]> {
  const losses: number[] = [];
  const off = engine.events.on('metrics', (m) => losses.push(m.loss));
  for (let i = 0; i < steps; i++) engine.step(batcher.next());
  await engine.flush();
  off();
  return losses;
}

describe('Engine: hidden state carried across windows', () => {
  for (const cell of ['lstm', 'gru'] as const) {
    it(`${cell}: 8 carried windows over 2 epoch starts equal the reference (1e-4) and differ from resetting`, async () => {
      const m = checkModel(cell);
      const t = checkTrain({ learningRate: 0.02 });
      const engine = Engine.create(device, m, t);
      const init = await engine.readParams();
      const gpu = await gpuLosses(engine, new StreamBatcher(tokens(4), 3, 5), 8);
      const run = (carryState: boolean) => {
        const ref = new ReferenceTrainer(m, { ...t, carryState }, init);
        const b = new StreamBatcher(tokens(4), 3, 5);
        return Array.from({ length: 8 }, () => ref.step({ T: 5, B: 3, ...b.next() }).fb.loss);
      };
      const carried = run(true);
      const reset = run(false);
      for (let i = 0; i < 8; i++) expect(Math.abs(gpu[i]! - carried[i]!), `step ${i + 1}`).toBeLessThan(1e-4);
      // Windows 1, 4 and 7 start an epoch: identical; the others start from a carried state: different.
      expect(Math.abs(carried[1]! - reset[1]!)).toBeGreaterThan(1e-3);
      expect(carried[0]).toBe(reset[0]);
      engine.dispose();
    });
  }

  it('carryState false resets every window, as the reference does', async () => {
    const m = checkModel('lstm', { layers: 1 });
    const t = checkTrain({ carryState: false });
    const engine = Engine.create(device, m, t);
    const ref = new ReferenceTrainer(m, t, await engine.readParams());
    const gpu = await gpuLosses(engine, new StreamBatcher(tokens(5), 3, 5), 3);
    const b = new StreamBatcher(tokens(5), 3, 5);
    for (let i = 0; i < 3; i++)
      expect(Math.abs(gpu[i]! - ref.step({ T: 5, B: 3, ...b.next() }).fb.loss)).toBeLessThan(1e-4);
    engine.dispose();
  });

  it('a second engine given params, optimiser state and carried state continues bitwise identically', async () => {
    const m = checkModel('lstm');
    const t = checkTrain();
    const a = Engine.create(device, m, t);
    const batcher = new StreamBatcher(tokens(6), 3, 5);
    await gpuLosses(a, batcher, 2);
    const state = await a.readState();
    expect(state.fresh).toBe(false);
    expect(state.h[1]!.some((v) => v !== 0)).toBe(true);
    const b = Engine.create(device, m, { ...t, seed: 99 });
    await b.writeParams(await a.readParams());
    await b.writeOptimizerState(await a.readOptimizerState(), a.stepCount);
    b.writeState(state);
    const next = batcher.next();
    const [la] = await gpuLosses(a, { next: () => next } as StreamBatcher, 1);
    const [lb] = await gpuLosses(b, { next: () => next } as StreamBatcher, 1);
    expect(lb).toBe(la);
    const pa = await a.readParams();
    const pb = await b.readParams();
    expect(Buffer.from(pb.buffer).equals(Buffer.from(pa.buffer))).toBe(true);
    expect(() => b.writeState({ fresh: false, h: [new Float32Array(3)], c: [] })).toThrow(/B × H/);
    a.dispose();
    b.dispose();
  });
});
