// Divergence on the GPU: an overflowing step pauses the runner with a message that names the first
// non-finite gradient tensor, leaves the parameters as they were (the GPU skips the update), and the run
// still saves a checkpoint that loads (no NaN reaches it).
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { acquireNodeDevice } from '../cli/dawn';
import { decodeCheckpoint } from '../core/checkpoint';
import { DEFAULT_TRAIN, VAL_SECONDS } from '../core/config';
import { syntheticTask } from '../core/synthetic';
import { generatedTask } from '../core/tasks';
import { TrainingRunner, stepsPerBatch, validationDue } from './runner';
import { TaskModel } from './taskModel';

let device: GPUDevice;
beforeAll(async () => {
  device = (await acquireNodeDevice()).device;
});
afterAll(() => device?.destroy());

/**
 * A runner after `steps` good steps whose output layer is then overflowed: logits become ±∞, the softmax NaN,
 * every gradient NaN from the next step on. `diverged` collects the messages.
 */
async function overflowing(cell: 'gru' | 'rnn', steps: number) {
  const runner = TrainingRunner.create({
    text: syntheticTask('alternating').generate(2, 2000),
    model: { cell, embedSize: 8, hiddenSize: 8, layers: 1, learnedInit: false },
    train: { ...DEFAULT_TRAIN, seqLen: 8, batchSize: 4, clipNorm: 0 },
    device,
  });
  const lm = runner.lm;
  for (let i = 0; i < steps; i++) await runner.step();
  const params = await lm.trainer.readParams();
  const head = lm.trainer.layout.headWeight;
  params.fill(3e38, head.offset, head.offset + head.size);
  await lm.trainer.writeParams(params);
  const diverged: string[] = [];
  runner.events.on('diverged', (d) => diverged.push(d.message));
  return { runner, lm, params, diverged };
}

describe('TrainingRunner', () => {
  it('pauses on a non-finite gradient, names the tensor, skips the update, and still saves cleanly', async () => {
    const { runner, lm, params, diverged } = await overflowing('gru', 2);
    await runner.step();
    expect(diverged).toHaveLength(1);
    expect(diverged[0]).toMatch(
      /Step 3: the gradient is not finite .*first in (embedding\.weight|rnn\.|head\.)/,
    );
    expect(runner.runState).toBe('paused');
    const after = await lm.trainer.readParams();
    expect(Buffer.from(after.buffer).equals(Buffer.from(params.buffer))).toBe(true);
    const ck = decodeCheckpoint(await lm.save());
    expect(ck.step).toBe(3);
    expect(ck.state?.fresh).toBe(true);
    runner.dispose();
  });

  it('reports a divergence once when the steps behind it in the batch diverged too', async () => {
    const { runner, lm, diverged } = await overflowing('rnn', 1);
    runner.minBatch = 4; // four steps in flight: all four overflow
    runner.play();
    await runner.idle();
    expect(lm.step).toBe(5);
    expect(diverged).toEqual([expect.stringMatching(/^Step 2: the gradient is not finite/)]);
    expect(runner.runState).toBe('paused');
    // The next play reports again.
    runner.play();
    await runner.idle();
    expect(diverged).toHaveLength(2);
    runner.dispose();
  });
});

describe('TrainingRunner with a task', () => {
  it('holds training while an evaluation runs (its round trips would each queue behind a batch of steps)', async () => {
    const m = TaskModel.create({
      kind: 'classify',
      examples: generatedTask('contains').generate(1, 200),
      model: { cell: 'gru', embedSize: 8, hiddenSize: 8, layers: 1, learnedInit: false },
      train: { ...DEFAULT_TRAIN, batchSize: 8 },
      device,
    });
    const runner = new TrainingRunner(m, 2);
    runner.minBatch = 4;
    let evaluating = false;
    const evaluated: number[] = [];
    const during: number[] = [];
    const start = m.startValidation.bind(m);
    m.startValidation = () => {
      evaluating = true;
      return start().finally(() => {
        evaluating = false;
        evaluated.push(m.step);
      });
    };
    const trainStep = m.trainStep.bind(m);
    m.trainStep = () => {
      if (evaluating) during.push(m.step);
      trainStep();
    };
    runner.play();
    await vi.waitUntil(() => evaluated.length >= 2, { timeout: 60_000, interval: 20 });
    runner.pause();
    await runner.idle();
    expect(evaluated.slice(0, 2)).toEqual([2, 4]);
    expect(during).toEqual([]);
    runner.dispose();
  });
});

describe('validationDue', () => {
  it('validates on the valEvery grid, and off it after VAL_SECONDS of training and four passes’ time', () => {
    expect(validationDue(200, 100, null, 0)).toBe(true);
    expect(validationDue(200, 100, 0, 0)).toBe(true);
    expect(validationDue(37, 100, null, 1e9)).toBe(false);
    expect(validationDue(37, 100, VAL_SECONDS * 1000 - 1, 0)).toBe(false);
    expect(validationDue(37, 100, VAL_SECONDS * 1000, 0)).toBe(true);
    // A pass that took 10 s waits for 40 s of training.
    expect(validationDue(37, 100, 39_999, 10_000)).toBe(false);
    expect(validationDue(37, 100, 40_000, 10_000)).toBe(true);
  });

  it('a playing runner validates between grid steps once training has run long enough; a race does not', async () => {
    const make = () =>
      TrainingRunner.create(
        {
          text: syntheticTask('alternating').generate(2, 2000),
          model: { cell: 'rnn', embedSize: 8, hiddenSize: 8, layers: 1, learnedInit: false },
          train: { ...DEFAULT_TRAIN, seqLen: 8, batchSize: 4 },
          device,
        },
        1000,
      );
    const played = async (runner: TrainingRunner, until: (validated: number[]) => boolean) => {
      const steps: number[] = [];
      runner.events.on('validation', (v) => steps.push(v.step));
      runner.valSeconds = 0.2;
      runner.play();
      await vi.waitUntil(() => until(steps), { timeout: 60_000, interval: 20 });
      runner.pause();
      await runner.idle();
      await runner.lm.flush();
      return steps;
    };
    const free = make();
    const steps = await played(free, (v) => v.length >= 2);
    expect(steps.every((s) => s % 1000 !== 0)).toBe(true);
    free.dispose();
    const race = make();
    race.budget = 1000;
    const t0 = performance.now();
    const raced = await played(race, () => performance.now() > t0 + 1500);
    expect(race.lm.step).toBeGreaterThan(2);
    expect(raced).toEqual([]);
    race.dispose();
  });
});

describe('stepsPerBatch', () => {
  it('fills about 50 ms, one step at least and 16 at most', () => {
    expect(stepsPerBatch(500)).toBe(1);
    expect(stepsPerBatch(20)).toBe(2);
    expect(stepsPerBatch(4)).toBe(12);
    expect(stepsPerBatch(1)).toBe(16);
    expect(stepsPerBatch(0)).toBe(1);
    expect(stepsPerBatch(NaN)).toBe(1);
  });
});
