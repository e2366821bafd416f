// Sequence tasks (issue 9): generated data is right and seeded, the "bring your own" format says what is
// wrong, batches put the labels where the task says, the GPU evaluation equals the CPU reference's, and small
// models learn a classification and a tagging task.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acquireNodeDevice } from '../cli/dawn';
import { NO_TARGET } from '../core/batches';
import { DEFAULT_TRAIN, type TrainConfig } from '../core/config';
import { GENERATED_TASKS, generatedTask, isBalanced, parseExamples } from '../core/tasks';
import { CpuInference } from './cpuInference';
import { CharLM, type ModelShape } from './lm';
import { TaskModel } from './taskModel';
import { probeStates } from './taskProbe';

let device: GPUDevice;
beforeAll(async () => {
  device = (await acquireNodeDevice()).device;
});
afterAll(() => device?.destroy());

const shape: ModelShape = { cell: 'gru', embedSize: 8, hiddenSize: 16, layers: 1, learnedInit: false };
const train: TrainConfig = { ...DEFAULT_TRAIN, batchSize: 16, learningRate: 0.02, seed: 5 };

describe('generated tasks', () => {
  it('are seeded and labelled correctly', () => {
    for (const t of GENERATED_TASKS) {
      const a = t.generate(3, 50);
      expect(a).toEqual(t.generate(3, 50));
      // One-to-many tasks list every label once: no seed to vary.
      if (t.kind !== 'generate') expect(a).not.toEqual(t.generate(4, 50));
      for (const e of a) {
        if (t.kind === 'tag') expect([...e.target].length, t.id).toBe([...e.input].length);
        if (t.id === 'parity')
          expect(e.target).toBe([...e.input].filter((c) => c === '1').length % 2 ? 'odd' : 'even');
        if (t.id === 'balanced') expect(e.target).toBe(isBalanced(e.input) ? 'yes' : 'no');
        if (t.id === 'contains') expect(e.target).toBe(e.input.includes('x') ? 'yes' : 'no');
      }
      if (t.kind === 'classify') expect(new Set(a.map((e) => e.target)).size).toBeGreaterThan(1);
    }
    expect(() => generatedTask('nope')).toThrow(/Unknown generated task "nope".*parity \(classify\)/);
  });

  it('"bring your own" lines are checked, naming the bad lines', () => {
    expect(parseExamples('ab\tyes\ncd\tno\nef\tyes\ngh\tno\n', 'classify')).toHaveLength(4);
    expect(() => parseExamples('ab yes\ncd\tno', 'classify')).toThrow(/line 1 has 0 tabs/);
    expect(() => parseExamples('abc\tIO\nab\tIO', 'tag')).toThrow(/line 1 has 2 tags for 3 input characters/);
    expect(() => parseExamples('a\tx\nb\ty', 'classify')).toThrow(/Only 2 examples/);
  });
});

describe('TaskModel', () => {
  it('puts one label at each sequence’s last step (classify) or a tag at every step (tag)', () => {
    const examples = [
      { input: 'abc', target: 'yes' },
      { input: 'a', target: 'no' },
      { input: 'bb', target: 'no' },
      { input: 'cab', target: 'yes' },
    ];
    const m = TaskModel.create({ kind: 'classify', examples, model: shape, train, device: null });
    expect(m.T).toBe(3);
    expect(m.classes).toEqual(['no', 'yes']);
    expect(m.model.outputSize).toBe(2);
    const b = m.encode(examples.slice(0, 2), 2);
    // t-major (t·B + b): "abc" is labelled at t = 2, "a" at t = 0.
    expect([...b.targets]).toEqual([NO_TARGET, 0, NO_TARGET, NO_TARGET, 1, NO_TARGET]);
    expect(b.count).toBe(2);
    const tagged = examples.map((e) => ({
      input: e.input,
      target: e.input.replace(/a/g, 'y').replace(/[^y]/g, 'x'),
    }));
    const tagger = TaskModel.create({ kind: 'tag', examples: tagged, model: shape, train, device: null });
    expect(tagger.classes).toEqual(['x', 'y']);
    const t = tagger.encode([{ input: 'ab', target: 'yx' }], 1);
    expect([...t.targets]).toEqual([1, 0, NO_TARGET]);
    expect(t.count).toBe(2);
  });

  it('on the GPU: training runs and the evaluation equals the CPU reference’s on the same parameters', async () => {
    const examples = generatedTask('majority').generate(2, 120);
    const m = TaskModel.create({ kind: 'classify', examples, model: shape, train, device });
    for (let i = 0; i < 3; i++) m.trainStep();
    await m.flush();
    const gpu = await m.evaluate();
    const params = await m.trainer.readParams();
    const cpu = new CpuInference(m.model, () => params);
    // Same batches through the CPU twin of batchLogProbs.
    const B = train.batchSize;
    let loss = 0;
    let n = 0;
    for (let a = 0; a < m.valSet.length; a += B) {
      const chunk = m.valSet.slice(a, a + B);
      const enc = m.encode(chunk, B);
      const logp = await cpu.batchLogProbs(enc.inputs, m.T, B);
      enc.targets.forEach((y, r) => {
        if (y === NO_TARGET) return;
        loss -= logp[r * m.classes.length + y]!;
        n++;
      });
    }
    expect(n).toBe(m.valSet.length);
    expect(Math.abs(gpu.loss - loss / n)).toBeLessThan(1e-5);
    expect(gpu.confusion.flat().reduce((a, b) => a + b, 0)).toBe(m.valSet.length);
    expect(gpu.predictions.length).toBeGreaterThan(0);
    m.dispose();
  });

  it('a task model file resumes training exactly; other data and LM loaders are refused', async () => {
    const examples = generatedTask('quotes').generate(4, 80);
    const setup = { kind: 'tag' as const, examples, model: shape, train: { ...train, batchSize: 8 }, device };
    const a = TaskModel.create(setup);
    const losses = async (m: TaskModel, n: number) => {
      const out: number[] = [];
      const off = m.events.on('metrics', (x) => out.push(x.loss));
      for (let i = 0; i < n; i++) m.trainStep();
      await m.flush();
      off();
      return out;
    };
    await losses(a, 12); // past the first epoch of 72 / 8 = 9 batches
    const bytes = await a.save();
    const next = await losses(a, 3);
    const b = await TaskModel.resume(bytes, examples, device);
    expect(b.step).toBe(12);
    expect(b.epoch).toBe(1);
    expect(await losses(b, 3)).toEqual(next);
    await expect(TaskModel.resume(bytes, examples.slice(1), device)).rejects.toThrow(/other examples/);
    await expect(CharLM.resume(bytes, 'some text', device)).rejects.toThrow(/tag task model/);
    a.dispose();
    b.dispose();
  });

  it('learns "does the line contain an x" (classify) and vowels (tag) on the CPU reference', async () => {
    const run = async (id: string, steps: number) => {
      const task = generatedTask(id);
      const m = TaskModel.create({
        kind: task.kind,
        examples: task.generate(1, 400),
        model: shape,
        train,
        device: null,
      });
      const before = await m.evaluate();
      for (let i = 0; i < steps; i++) m.trainStep();
      await m.flush();
      return { before, after: await m.evaluate() };
    };
    const contains = await run('contains', 150);
    expect(contains.after.accuracy).toBeGreaterThan(0.9);
    expect(contains.after.loss).toBeLessThan(contains.before.loss);
    const vowels = await run('vowels', 60);
    expect(vowels.after.accuracy).toBeGreaterThan(0.95);
  }, 240_000);
});

describe('bidirectional TaskModel', () => {
  it('on the GPU: a tag model’s evaluation equals the CPU reference’s and its file resumes', async () => {
    const examples = generatedTask('ahead').generate(4, 80);
    const setup = {
      kind: 'tag' as const,
      examples,
      model: { ...shape, bidirectional: true },
      train: { ...train, batchSize: 8 },
    };
    const gpu = TaskModel.create({ ...setup, device });
    expect(gpu.model.bidirectional).toBe(true);
    for (let i = 0; i < 3; i++) gpu.trainStep();
    await gpu.flush();
    const bytes = await gpu.save();
    const cpu = await TaskModel.resume(bytes, examples, null);
    expect(cpu.model.bidirectional).toBe(true);
    const [g, c] = [await gpu.evaluate(12, true), await cpu.evaluate(12, true)];
    expect(g.loss).toBeCloseTo(c.loss, 4);
    expect(g.accuracy).toBeCloseTo(c.accuracy, 9);
    expect((await gpu.predict(['abxc']))[0]!.predicted).toBe((await cpu.predict(['abxc']))[0]!.predicted);
    // The probe's states of both directions, GPU against the reference.
    const close = (a: Float32Array, b: Float32Array) =>
      expect(Math.max(...a.map((x, i) => Math.abs(x - b[i]!)))).toBeLessThan(1e-4);
    expect(g.states!.lines[0]!.labels).toEqual([...gpu.valSet[0]!.input]);
    close(g.states!.lines[0]!.forward, c.states!.lines[0]!.forward);
    close(g.states!.lines[0]!.reverse!, c.states!.lines[0]!.reverse!);
    // GRU: r, z and n of the forward layer; r and z are sigmoids.
    expect(g.states!.gates).toHaveLength(3);
    g.states!.gates.forEach((x, k) => close(x, c.states!.gates[k]!));
    expect(g.states!.gates[1]!.every((z) => z > 0 && z < 1)).toBe(true);
    expect(g.states!.gates[2]!.some((n) => n < 0)).toBe(true);
    // The unit finder's lines: the first validation examples, probed in one batch, each row at its own
    // positions — as probing that example alone gives (the reverse direction ran from each row's own end).
    expect(g.states!.lines.map((l) => l.labels.join(''))).toEqual(gpu.valSet.slice(0, 8).map((e) => e.input));
    for (const k of [0, 3, 7]) {
      const alone = await probeStates(cpu, [cpu.valSet[k]!], cpu.trainer.snapshot());
      close(g.states!.lines[k]!.forward, alone.lines[0]!.forward);
      close(g.states!.lines[k]!.reverse!, alone.lines[0]!.reverse!);
    }
    gpu.dispose();
    cpu.dispose();
  });

  it('learns "is there an x ahead?", which a forward-only model cannot (CPU reference)', async () => {
    const examples = generatedTask('ahead').generate(1, 600);
    const run = async (bidirectional: boolean) => {
      const m = TaskModel.create({
        kind: 'tag',
        examples,
        model: { ...shape, ...(bidirectional ? { bidirectional } : {}) },
        train: { ...train, batchSize: 32, learningRate: 0.02 },
        device: null,
      });
      for (let i = 0; i < 120; i++) m.trainStep();
      const e = await m.evaluate();
      m.dispose();
      return e.accuracy;
    };
    const [one, both] = [await run(false), await run(true)];
    expect(both).toBeGreaterThan(0.97);
    expect(one).toBeLessThan(0.8);
  }, 120_000);
});
