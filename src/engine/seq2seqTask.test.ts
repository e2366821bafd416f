// Encoder–decoder tasks (issue 9): the generated data is right, windows put sources, END and outputs where the
// engine expects them, batches hold one source length, beam search equals brute-force enumeration on a tiny
// model, the GPU evaluation equals the CPU reference's, files resume exactly, and small models learn.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acquireNodeDevice } from '../cli/dawn';
import { NO_TARGET } from '../core/batches';
import { decodeCheckpoint } from '../core/checkpoint';
import { DEFAULT_TRAIN, type TrainConfig } from '../core/config';
import { numberWords } from '../core/seqTasks';
import { generatedTask, parseExamples } from '../core/tasks';
import { type ModelShape } from './lm';
import { bucketBatches, charScore, windowDecoder } from './seq2seqTask';
import { TaskModel } from './taskModel';
import { variantOf } from './taskVariant';

let device: GPUDevice;
beforeAll(async () => {
  device = (await acquireNodeDevice()).device;
});
afterAll(() => device?.destroy());

const shape: ModelShape = { cell: 'gru', embedSize: 8, hiddenSize: 16, layers: 1, learnedInit: false };
const train: TrainConfig = { ...DEFAULT_TRAIN, batchSize: 8, learningRate: 0.02, seed: 5 };

describe('generated encoder–decoder tasks', () => {
  it('say the right output for each input', () => {
    for (const e of generatedTask('reverse').generate(1, 30))
      expect(e.target).toBe([...e.input].reverse().join(''));
    for (const e of generatedTask('sort').generate(1, 30))
      expect(e.target).toBe([...e.input].sort().join(''));
    for (const e of generatedTask('cipher').generate(1, 30))
      expect([...e.target].map((c, i) => (c.charCodeAt(0) - e.input.charCodeAt(i) + 26) % 26)).toEqual(
        [...e.target].map(() => 3),
      );
    const dates = generatedTask('dates').generate(1, 30);
    expect(dates[0]!.input).toMatch(/^\d{4}-\d\d-\d\d$/);
    for (const e of dates) {
      const [y, m, d] = e.input.split('-').map(Number);
      expect(e.target).toBe(
        `${d} ${['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'][m! - 1]} ${y}`,
      );
    }
    expect([0, 7, 11, 20, 42, 99].map(numberWords)).toEqual([
      'zero',
      'seven',
      'eleven',
      'twenty',
      'forty-two',
      'ninety-nine',
    ]);
    expect(generatedTask('words').generate(1, 1000)).toHaveLength(100);
    expect(generatedTask('depth').generate(1, 1000)[2]).toEqual({ input: '3', target: '((()))' });
    expect(() => parseExamples('ab\t\ncd\tdc', 'seq2seq')).toThrow(/line 1 has an empty output/);
  });
});

describe('encoder–decoder windows', () => {
  const examples = [
    { input: 'ab', target: 'ba' },
    { input: 'abc', target: 'cba' },
    { input: 'ca', target: 'ac' },
    { input: 'bca', target: 'acb' },
  ];

  it('put the source first, then END and the output (teacher forcing), with the output and END as targets', () => {
    const m = TaskModel.create({ kind: 'seq2seq', examples, model: shape, train, device: null });
    const codec = m.codec!;
    expect([codec.S, codec.D, m.T]).toEqual([3, 4, 7]);
    expect(m.classes).toEqual(['\u0000', 'a', 'b', 'c']);
    expect(m.model.encoder).toEqual({ vocabSize: 3 });
    const B = 2;
    const b = m.encode([examples[0]!, examples[2]!], B);
    const col = (arr: Uint32Array, r: number) => Array.from({ length: m.T }, (_, t) => arr[t * B + r]!);
    expect(b.split).toBe(2);
    // Row 0: source a b, then END, b, a; targets b a END at the decoder's first three steps.
    expect(col(b.inputs, 0).slice(0, 5)).toEqual([0, 1, 0, 2, 1]);
    expect(col(b.targets, 0)).toEqual([NO_TARGET, NO_TARGET, 2, 1, 0, NO_TARGET, NO_TARGET]);
    expect(b.count).toBe(6);
    expect(() => m.encode([examples[0]!, examples[1]!], B)).toThrow(/one length/);
  });

  it('character accuracy counts an extra or a missing character as wrong', () => {
    expect(charScore('bb', 'bb')).toEqual({ right: 2, of: 2 });
    expect(charScore('bbb', 'bb')).toEqual({ right: 2, of: 3 });
    expect(charScore('ab', 'abc')).toEqual({ right: 2, of: 3 });
    expect(charScore('', 'ab')).toEqual({ right: 0, of: 2 });
  });

  it('batches hold one source length, every example once an epoch, the same for the same order', () => {
    const lengths = [1, 2, 1, 3, 2, 1, 1, 2];
    const order = [3, 0, 5, 1, 7, 2, 6, 4];
    const batches = bucketBatches(order, (i) => lengths[i]!, 2);
    expect(batches).toEqual([[0, 5], [1, 7], [2, 6], [3], [4]]);
    for (const bt of batches) expect(new Set(bt.map((i) => lengths[i])).size).toBe(1);
    expect(batches.flat().sort()).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
  });

  it('beam search with every prefix alive equals brute-force enumeration of all outputs', async () => {
    const ex = [
      { input: 'a', target: 'ab' },
      { input: 'b', target: 'b' },
      { input: 'ab', target: 'a' },
      { input: 'ba', target: 'ba' },
    ];
    const m = TaskModel.create({ kind: 'seq2seq', examples: ex, model: shape, train, device: null });
    const codec = m.codec!;
    const B = train.batchSize;
    const O = m.classes.length;
    const logProbs = (tokens: Uint32Array, split: number) => m.inference.batchLogProbs(tokens, m.T, B, split);
    // Every output of up to D tokens (END after fewer), scored by the same window the decoder sees.
    const all: { toks: number[]; logProb: number }[] = [];
    const grow = (toks: number[]) => {
      all.push({ toks, logProb: 0 });
      if (toks.length < codec.D) for (let c = 1; c < O; c++) grow([...toks, c]);
    };
    grow([]);
    const src = codec.sourceTokens('ab');
    for (const cand of all) {
      const tokens = new Uint32Array(m.T * B);
      src.forEach((t, i) => (tokens[i * B] = t));
      cand.toks.forEach((t, i) => {
        if (src.length + 1 + i < m.T) tokens[(src.length + 1 + i) * B] = t;
      });
      const logp = await logProbs(tokens, src.length);
      const steps = [...cand.toks, ...(cand.toks.length < codec.D ? [0] : [])];
      cand.logProb = steps.reduce((a, t, i) => a + logp[(src.length + i) * B * O + t]!, 0);
    }
    const norm = (d: { toks: number[]; logProb: number }) => d.logProb / (d.toks.length + 1);
    const best = all.sort((a, b) => norm(b) - norm(a)).slice(0, 8);
    const beam = await codec.beam('ab', 8, B, windowDecoder(logProbs, m.T, B, O));
    expect(beam.map((d) => d.text)).toEqual(best.map((d) => d.toks.map((t) => m.classes[t]).join('')));
    beam.forEach((d, i) => expect(d.logProb).toBeCloseTo(best[i]!.logProb, 9));
    // Carrying each beam's state from its parent row gives the same beams as re-running the window.
    const stepwise = await codec.beam('ab', 8, B, m.decoderOf(m.inference));
    expect(stepwise.map((d) => d.text)).toEqual(beam.map((d) => d.text));
    stepwise.forEach((d, i) => expect(d.logProb).toBeCloseTo(beam[i]!.logProb, 9));
  });
});

describe('encoder–decoder TaskModel', () => {
  it('on the GPU: evaluation equals the CPU reference’s on the same parameters; the file resumes exactly', async () => {
    const examples = generatedTask('reverse')
      .generate(2, 200)
      .filter((e) => e.input.length <= 4);
    const setup = { kind: 'seq2seq' as const, examples, model: shape, train };
    const gpu = TaskModel.create({ ...setup, device });
    for (let i = 0; i < 3; i++) gpu.trainStep();
    await gpu.flush();
    const bytes = await gpu.save();
    const ck = decodeCheckpoint(bytes);
    expect(ck.task?.sources).toEqual([...'abcdefgh']);
    expect(Object.keys(ck.params).length).toBeGreaterThan(0);
    const cpu = await TaskModel.resume(bytes, examples, null);
    const [g, c] = [await gpu.evaluate(12, true), await cpu.evaluate(12, true)];
    expect(g.loss).toBeCloseTo(c.loss, 4);
    // The probe example's states and gates over source, START and output, GPU against the reference.
    const first = gpu.valSet[0]!;
    expect(g.states!.lines[0]!.labels).toEqual([...first.input, 'START', ...first.target]);
    for (const [x, y] of [
      [g.states!.lines[0]!.forward, c.states!.lines[0]!.forward],
      ...g.states!.gates.map((x, k) => [x, c.states!.gates[k]!]),
    ] as const)
      expect(Math.max(...x.map((v, i) => Math.abs(v - y[i]!)))).toBeLessThan(1e-4);
    expect(g.predictions.map((p) => p.predicted)).toEqual(c.predictions.map((p) => p.predicted));
    expect(g.accuracy).toBeCloseTo(c.accuracy, 9);
    // Exact matches by input length cover every validation example, shortest first.
    expect(g.byLength!.reduce((a, r) => a + r.count, 0)).toBe(gpu.valSet.length);
    expect(g.byLength!.map((r) => r.length)).toEqual(
      [...new Set(gpu.valSet.map((e) => e.input.length))].sort(),
    );
    expect(g.byLength).toEqual(c.byLength);
    // Resume on the GPU: the next losses equal the uninterrupted run's.
    const again = await TaskModel.resume(bytes, examples, device);
    const losses = (m: TaskModel) => {
      const out: number[] = [];
      m.events.on('metrics', (x) => out.push(x.loss));
      return out;
    };
    const [a, b] = [losses(gpu), losses(again)];
    for (let i = 0; i < 3; i++) {
      gpu.trainStep();
      again.trainStep();
    }
    await Promise.all([gpu.flush(), again.flush()]);
    expect(b).toHaveLength(3);
    b.forEach((x, i) => expect(x).toBeCloseTo(a[i]!, 5));
    await expect(TaskModel.resume(bytes, generatedTask('sort').generate(2, 60), null)).rejects.toThrow(
      /other examples/,
    );
    for (const m of [gpu, cpu, again]) m.dispose();
  });

  it('decodes a token at a time from carried states as re-running the window would (GPU and CPU, greedy and beam; greedy on the GPU without a readback per token)', async () => {
    const examples = generatedTask('reverse')
      .generate(3, 200)
      .filter((e) => e.input.length <= 5);
    // A 2-layer LSTM (each layer's h and c carried into a one-step window); a GRU with attention (each
    // step's attention reads the encoder states kept in the window's plan).
    for (const model of [
      { ...shape, cell: 'lstm' as const, layers: 2 },
      { ...shape, attention: true },
    ]) {
      const setup = { kind: 'seq2seq' as const, examples, model, train };
      const gpu = TaskModel.create({ ...setup, device });
      for (let i = 0; i < 25; i++) gpu.trainStep();
      await gpu.flush();
      const cpu = await TaskModel.resume(await gpu.save(), examples, null);
      const inputs = gpu.valSet.map((e) => e.input);
      const outputs: string[][] = [];
      expect(gpu.inference.taskDecoder(train.batchSize, gpu.T)).not.toBeNull();
      // The reference decodes a token at a time only without attention.
      expect(cpu.inference.taskDecoder(train.batchSize, cpu.T) === null).toBe(!!model.attention);
      for (const m of [gpu, cpu]) {
        const B = m.train.batchSize;
        const codec = m.codec!;
        const window = () =>
          windowDecoder((t, s) => m.inference.batchLogProbs(t, m.T, B, s), m.T, B, m.classes.length);
        const dec = m.decoderOf(m.inference);
        // Without attention the GPU chooses greedy tokens itself (one submit per batch); start/next, a round
        // trip per token, must agree with it and with the window re-run.
        expect(dec.greedy !== undefined).toBe(m === gpu && !model.attention);
        const stepwise = await codec.decode(inputs, B, dec);
        const whole = await codec.decode(inputs, B, window());
        // (Where there is no chain, the decoder itself is the per-token path: once is enough.)
        const perToken = dec.greedy
          ? [await codec.decode(inputs, B, { start: dec.start, next: dec.next })]
          : [];
        for (const other of [whole, ...perToken]) {
          expect(stepwise.map((d) => d.text)).toEqual(other.map((d) => d.text));
          stepwise.forEach((d, i) => expect(d.logProb).toBeCloseTo(other[i]!.logProb, 4));
        }
        outputs.push(stepwise.map((d) => d.text));
        const beams = [
          await codec.beam(inputs[0]!, 4, B, m.decoderOf(m.inference)),
          await codec.beam(inputs[0]!, 4, B, window()),
        ];
        expect(beams[0]!.map((d) => d.text)).toEqual(beams[1]!.map((d) => d.text));
        beams[0]!.forEach((d, i) => expect(d.logProb).toBeCloseTo(beams[1]![i]!.logProb, 4));
      }
      expect(outputs[0]).toEqual(outputs[1]);
      // Outputs several characters long: the carried state decides the later ones.
      expect(outputs[0]!.filter((o) => o.length >= 3).length).toBeGreaterThan(inputs.length / 2);
      gpu.dispose();
      cpu.dispose();
    }
  });

  it('a side-by-side variant flips attention (or the reverse layer) and keeps the data, split and settings', () => {
    const examples = generatedTask('cipher').generate(5, 60);
    const m = TaskModel.create({
      kind: 'seq2seq',
      examples,
      model: { ...shape, layers: 2 },
      train,
      device: null,
    });
    const v = variantOf(m, null);
    expect([v.model.attention, v.model.layers, v.model.encoder]).toEqual([true, 1, m.model.encoder]);
    expect(v.valSet).toEqual(m.valSet);
    expect(v.train).toEqual(m.train);
    expect(variantOf(v, null).model.attention).toBeUndefined();
    const tag = TaskModel.create({
      kind: 'tag',
      examples: generatedTask('ahead').generate(5, 40),
      model: shape,
      train,
      device: null,
    });
    expect(variantOf(tag, null).model.bidirectional).toBe(true);
    expect(variantOf(tag, null).trainSet).toEqual(tag.trainSet);
    for (const x of [m, v, tag]) x.dispose();
  });

  it('learns brackets of depth k (one to many) and to reverse short strings (seq2seq) on the CPU reference', async () => {
    const depth = TaskModel.create({
      kind: 'generate',
      examples: generatedTask('depth').generate(1, 6),
      model: { ...shape, cell: 'lstm', hiddenSize: 24 },
      train: { ...train, batchSize: 6, learningRate: 0.03 },
      device: null,
    });
    for (let i = 0; i < 150; i++) depth.trainStep();
    const d = await depth.evaluate();
    expect(d.exact, JSON.stringify(d.predictions)).toBe(1);
    expect((await depth.predict(['3']))[0]!.predicted).toBe('((()))');
    // Every string of 3 or 4 letters over abcd: short enough to learn in a few hundred steps on the CPU.
    const words = [...'abcd'].flatMap((a) => [...'abcd'].flatMap((b) => [...'abcd'].map((c) => a + b + c)));
    const examples = [...words, ...words.flatMap((w) => [...'abcd'].map((d) => w + d))].map((input) => ({
      input,
      target: [...input].reverse().join(''),
    }));
    const rev = TaskModel.create({
      kind: 'seq2seq',
      examples,
      model: { ...shape, cell: 'gru', hiddenSize: 48, embedSize: 16 },
      train: { ...train, batchSize: 32, learningRate: 0.01 },
      device: null,
    });
    for (let i = 0; i < 400; i++) rev.trainStep();
    const r = await rev.evaluate();
    expect(r.exact, JSON.stringify(r.predictions)).toBeGreaterThan(0.8);
    depth.dispose();
    rev.dispose();
  }, 240_000);
});
