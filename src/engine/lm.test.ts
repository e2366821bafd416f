// CharLM end to end on small synthetic corpora: exact resume from a checkpoint, validation interleaved with
// training (measuring the model of the step it started at), the CPU backend, and loading a model file.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acquireNodeDevice } from '../cli/dawn';
import { DEFAULT_TRAIN, type TrainConfig } from '../core/config';
import { syntheticTask } from '../core/synthetic';
import { CpuInference } from './cpuInference';
import { CharLM, type ModelShape } from './lm';
import { openModel } from './textModel';

let device: GPUDevice;
beforeAll(async () => {
  device = (await acquireNodeDevice()).device;
});
afterAll(() => device?.destroy());

const text = syntheticTask('grammar').generate(1, 3000);
const shape: ModelShape = { cell: 'lstm', embedSize: 8, hiddenSize: 16, layers: 2, learnedInit: false };
const train: TrainConfig = { ...DEFAULT_TRAIN, seqLen: 8, batchSize: 4, learningRate: 0.01 };

async function lossesOf(lm: CharLM, steps: number): Promise<number[]> {
  const out: number[] = [];
  const off = lm.events.on('metrics', (m) => out.push(m.loss));
  for (let i = 0; i < steps; i++) lm.trainStep();
  await lm.flush();
  off();
  return out;
}

describe('CharLM', () => {
  it('a checkpoint resumes training exactly: the same next losses, bit for bit', async () => {
    const a = CharLM.create({ text, model: shape, train, device });
    await lossesOf(a, 5);
    const bytes = await a.save();
    const next = await lossesOf(a, 3);
    const b = await CharLM.resume(bytes, text, device);
    expect(b.step).toBe(5);
    const resumed = await lossesOf(b, 3);
    expect(resumed).toEqual(next);
    expect(b.step).toBe(8);
    await expect(CharLM.resume(bytes, text + '.', device)).rejects.toThrow(/different text/);
    a.dispose();
    b.dispose();
  });

  it('a save taken while steps keep being submitted holds the step it was called at', async () => {
    const a = CharLM.create({ text, model: shape, train, device });
    await lossesOf(a, 4);
    const saving = a.save();
    // Two more steps are submitted before the save's readback resolves (the playground autosaves mid-run).
    const next = await lossesOf(a, 2);
    const b = await CharLM.resume(await saving, text, device);
    expect(b.step).toBe(4);
    expect(await lossesOf(b, 2)).toEqual(next);
    a.dispose();
    b.dispose();
  });

  it('validation interleaved with training measures the parameters of the step it started at', async () => {
    const lm = CharLM.create({ text, model: shape, train, device });
    await lossesOf(lm, 3);
    const params = await lm.trainer.readParams();
    const seen: number[] = [];
    lm.events.on('validation', (v) => seen.push(v.step));
    const pending = lm.startValidation();
    let steps = 0;
    let done = false;
    void pending.then(() => (done = true));
    while (!done && steps < 200) {
      lm.trainStep();
      steps++;
      if (steps % 10 === 0) await lm.flush();
    }
    const r = await pending;
    expect(seen).toEqual([3]);
    expect(r.chars).toBe(lm.corpus.val.length - 1);
    const ref = await new CpuInference(lm.model, () => params).evaluate(lm.corpus.val, 8, 4);
    expect(Math.abs(r.nats - ref.nats) / ref.nats).toBeLessThan(1e-5);
    expect(r.bits).toBeCloseTo(r.nats / Math.LN2, 10);
    lm.dispose();
  });

  it('the CPU backend trains (labelled cpu) and its model file samples on the GPU like the CPU', async () => {
    const lm = CharLM.create({ text, model: { ...shape, layers: 1 }, train, device: null });
    expect(lm.backend).toBe('cpu');
    const losses = await lossesOf(lm, 30);
    expect(losses[29]!).toBeLessThan(losses[0]!);
    const bytes = await lm.save(false);
    const opts = { temperature: 0.8, topK: 0, topP: 1 };
    const cpuText = await lm.text.sample('the ', 20, opts, 5);
    const gpu = await openModel(bytes, device);
    expect(gpu.step).toBe(30);
    expect(await gpu.sample('the ', 20, opts, 5)).toBe(cpuText);
    await expect(gpu.sample('the 🦄', 5, opts, 5)).rejects.toThrow(/not in the vocabulary/);
    gpu.dispose();
    lm.dispose();
  });
});
