import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acquireNodeDevice } from '../cli/dawn';
import { NO_TARGET } from '../core/batches';
import type { OptimizerType } from '../core/config';
import { ReferenceTrainer } from '../reference/trainer';
import { Engine } from './engine';
import {
  CLIPPED,
  ENGINE_CHECKS,
  checkModel as model,
  checkTrain as train,
  fullIterationCheck,
  randomBatch,
  randomSteps,
} from './selfChecks';

let device: GPUDevice;
beforeAll(async () => {
  device = (await acquireNodeDevice()).device;
});
afterAll(() => device?.destroy());

describe('Engine: one full iteration on the GPU equals the float64 reference', () => {
  for (const check of ENGINE_CHECKS) {
    it(`${check.label}: loss, logits, every gradient tensor, norms, optimiser state, updated parameters`, async () => {
      const r = await check.run(device);
      expect(r.ok, r.message).toBe(true);
    });
  }

  for (const optimizer of ['sgd', 'rmsprop'] as OptimizerType[]) {
    it(`the ${optimizer} check really clips (its parity is one of the checks above)`, () => {
      const t = CLIPPED.train(optimizer);
      const ref = new ReferenceTrainer(CLIPPED.model, t);
      expect(
        ref.step({
          T: t.seqLen,
          B: t.batchSize,
          ...randomBatch(CLIPPED.model.vocabSize, t.seqLen, t.batchSize, 17),
        }).scale,
      ).toBeLessThan(1);
    });
  }
});

describe('Engine: split-K weight gradients', () => {
  it('a window of 512 positions splits dW_ih, dW_hh and dW_head in two, and the iteration still equals the reference', async () => {
    const m = model('lstm');
    const shape = (B: number) => {
      const e = Engine.create(device, m, train({ seqLen: 64, batchSize: B }));
      const s = e.stepShape();
      e.dispose();
      return s.dispatches;
    };
    // Same T, so the same step dispatches; 512 positions add one reduction per split GEMM (2 layers × 2 + head).
    expect(shape(8) - shape(4)).toBe(5);
    const r = await fullIterationCheck(
      device,
      m,
      train({ seqLen: 64, batchSize: 8 }),
      'lstm T64 B8 (split K)',
    );
    expect(r.ok, r.message).toBe(true);
  });
});

describe('Engine: trajectory, determinism, validation', () => {
  it('the first 10 losses equal the CPU reference trainer’s (1e-4)', async () => {
    const m = model('lstm', { layers: 1 });
    const t = train({ learningRate: 0.02 });
    const engine = Engine.create(device, m, t);
    const ref = new ReferenceTrainer(m, t, await engine.readParams());
    const gpu: number[] = [];
    engine.events.on('metrics', (x) => gpu.push(x.loss));
    const cpu: number[] = [];
    // One batch repeated: the model memorises it, so the losses must also fall.
    const batch = randomBatch(m.vocabSize, t.seqLen, t.batchSize, 100);
    for (let i = 0; i < 10; i++) {
      engine.step(batch);
      cpu.push(ref.step({ T: t.seqLen, B: t.batchSize, ...batch }).fb.loss);
    }
    await engine.flush();
    expect(gpu).toHaveLength(10);
    for (let i = 0; i < 10; i++) expect(Math.abs(gpu[i]! - cpu[i]!), `step ${i + 1}`).toBeLessThan(1e-4);
    expect(cpu[9]!).toBeLessThan(cpu[0]!);
    engine.dispose();
  });

  it('same seed ⇒ bitwise identical parameters after 3 steps', async () => {
    const m = model('gru');
    const run = async () => {
      const e = Engine.create(device, m, train());
      for (let i = 0; i < 3; i++) e.step(randomBatch(m.vocabSize, 5, 3, i));
      await e.flush();
      const p = await e.readParams();
      e.dispose();
      return p;
    };
    const a = await run();
    const b = await run();
    expect(Buffer.from(a.buffer).equals(Buffer.from(b.buffer))).toBe(true);
  });

  it('refuses bad configurations before allocating, naming every problem', () => {
    expect(() =>
      Engine.create(device, model('lstm', { hiddenSize: 0 }), train({ learningRate: NaN })),
    ).toThrow(/Hidden size.*Learning rate/);
    expect(() =>
      Engine.create(device, model('lstm', { hiddenSize: 1024 }), train({ seqLen: 1024, batchSize: 1024 })),
    ).toThrow(/maxStorageBufferBindingSize/);
  });

  it('rejects a batch of the wrong shape or with tokens outside the vocabulary', () => {
    const e = Engine.create(device, model('rnn'), train());
    expect(() => e.step({ inputs: new Uint32Array(3), targets: new Uint32Array(3) })).toThrow(/expected 15/);
    const bad = randomBatch(7, 5, 3, 1);
    bad.targets[2] = 9;
    expect(() => e.step(bad)).toThrow(/target 9 outside the 7 classes/);
    const badInput = randomBatch(7, 5, 3, 1);
    badInput.inputs[4] = 7;
    expect(() => e.step(badInput)).toThrow(/token 7 outside the vocabulary of 7/);
    const fine = randomBatch(7, 5, 3, 1);
    fine.targets[0] = NO_TARGET; // an unlabelled position is allowed, but the loss needs one labelled
    expect(() => e.step({ ...fine, count: 0 })).toThrow(/count 0 must be from 1 to 15/);
    e.dispose();
  });

  it('setConfig changes the window and optimiser between steps and keeps training', async () => {
    const m = model('rnn', { layers: 1 });
    const e = Engine.create(device, m, train());
    const losses: number[] = [];
    e.events.on('metrics', (x) => losses.push(x.loss));
    e.step(randomBatch(7, 5, 3, 1));
    e.setConfig({ seqLen: 4, batchSize: 2, optimizer: 'sgd', learningRate: 0.1 });
    e.step(randomBatch(7, 4, 2, 2));
    await e.flush();
    expect(losses).toHaveLength(2);
    expect(losses.every(Number.isFinite)).toBe(true);
    expect(() => e.setConfig({ clipNorm: -1 })).toThrow(/Clip threshold/);
    e.dispose();
  });
});

describe('Engine: iterations recorded ahead of their step', () => {
  it('train bitwise as recorded at step time, through clip, window and optimiser changes and a state reset', async () => {
    const m = model('lstm', { layers: 2 });
    const run = async (ahead: boolean) => {
      const e = Engine.create(device, m, train());
      e.encodeAhead = ahead;
      const losses: number[] = [];
      e.events.on('metrics', (x) => losses.push(x.loss));
      let seed = 1;
      const steps = (n: number) => (seed = randomSteps(e, n, seed));
      steps(3);
      e.setConfig({ clipNorm: 0.05 });
      steps(2);
      e.setConfig({ seqLen: 4, batchSize: 2 });
      steps(2);
      e.setConfig({ optimizer: 'sgd', learningRate: 0.1 });
      steps(2);
      e.resetState();
      steps(1);
      await e.flush();
      const params = await e.readParams();
      const counts = { ...e.aheadCounts };
      e.dispose();
      return { losses, params, counts };
    };
    const ahead = await run(true);
    const atStep = await run(false);
    expect(atStep.counts).toEqual({ used: 0, dropped: 0 });
    // Recorded ahead for every step after the first but the two after a reshape or a new optimiser.
    expect(ahead.counts).toEqual({ used: 7, dropped: 2 });
    expect(ahead.losses).toHaveLength(10);
    expect(ahead.losses).toEqual(atStep.losses);
    expect(Buffer.from(ahead.params.buffer).equals(Buffer.from(atStep.params.buffer))).toBe(true);
  });
});

describe('Engine: one compute pass per iteration', () => {
  it('trains bitwise as a pass per phase does, in one pass timed as a whole', async () => {
    const m = model('gru', { layers: 2 });
    const run = async (phases: boolean) => {
      const e = Engine.create(device, m, train());
      e.phasePasses = phases;
      const losses: number[] = [];
      const timed: string[][] = [];
      e.events.on('metrics', (x) => (losses.push(x.loss), timed.push(Object.keys(x.gpuMs ?? {}))));
      randomSteps(e, 4, 3);
      await e.flush();
      const params = await e.readParams();
      const shape = e.stepShape();
      e.dispose();
      return { losses, params, shape, timed };
    };
    const one = await run(false);
    const phased = await run(true);
    expect(one.shape.passes).toBe(1);
    expect(phased.shape.passes).toBeGreaterThan(4);
    expect(one.shape.dispatches).toBe(phased.shape.dispatches);
    expect(one.losses).toEqual(phased.losses);
    expect(Buffer.from(one.params.buffer).equals(Buffer.from(phased.params.buffer))).toBe(true);
    // SwiftShader has timestamps: the phases are timed separately, or the one pass as `step`.
    expect(one.timed.at(-1)).toEqual(['step']);
    expect(phased.timed.at(-1)).toEqual(expect.arrayContaining(['forward', 'loss', 'backward', 'optimizer']));
  });
});
