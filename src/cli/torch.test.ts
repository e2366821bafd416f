// The PyTorch export, run in PyTorch: a model trained in Unroll, exported (`npm run export`), evaluated by the
// generated train.py (nn.LSTM / nn.GRU / nn.RNN with the copied weights) gives Unroll's validation loss, and
// its next training steps — same windows, carried state and Adam moments — give the losses Unroll's resume
// gives. Then the file train.py saves loads back into Unroll. This is the proof that names, shapes and gate
// order are PyTorch's. Needs a Python with torch (`npm test` installs Debian's python3-torch).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { findTorchPython } from '../../scripts/gpu-env.mjs';
import { commandHarness } from './commandHarness';
import { decodeCheckpoint } from '../core/checkpoint';
import { DEFAULT_TRAIN } from '../core/config';
import { Rng } from '../core/rng';
import { type TaskKind, examplesFor } from '../core/tasks';
import { exportFiles } from '../core/torchExport';
import { TaskModel } from '../engine/taskModel';

const dir = mkdtempSync(join(tmpdir(), 'unroll-torch-'));
const cli = commandHarness('torch-test');
const python = findTorchPython();

beforeAll(() => cli.build(['train', 'export']), 60_000);

/** stdout of a bundled command, failing the test on a non-zero exit. */
function run(name: string, args: string[]): string {
  const { code, out, err } = cli.run(name, args);
  if (code !== 0) throw new Error(`${name} ${args.join(' ')}: exit ${code}\n${err}`);
  return out;
}

/** stdout of an exported script run by the Python that has torch. */
function py(args: string[]): string {
  const r = spawnSync(python!, args, { encoding: 'utf8', timeout: 120_000 });
  if (r.status !== 0) throw new Error(`${args[0]}: exit ${r.status}\n${r.stderr}`);
  return r.stdout;
}

const jsonLines = (out: string) =>
  out
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { step: number; loss?: number; val_loss?: number; done?: boolean });

const rng = new Rng(4);
const words = ['the', 'cat', 'sat', 'on', 'a', 'mat', 'and', 'dog', 'ran', 'to', 'log', '—', 'ü'];
const corpus = join(dir, 'corpus.txt');
writeFileSync(corpus, Array.from({ length: 2500 }, () => words[rng.int(words.length)]).join(' '));

describe('PyTorch export parity', () => {
  it('a Python with torch is available (npm test installs python3-torch on Debian)', () => {
    expect(
      python,
      'no python3 can import torch: install PyTorch (Debian: apt-get install python3-torch) or set UNROLL_PYTHON',
    ).not.toBeNull();
  });

  for (const cell of ['lstm', 'gru', 'rnn'] as const) {
    it(`${cell}: train.py reproduces Unroll's validation loss and its next three training losses, and its file loads back`, () => {
      const out = join(dir, cell);
      const common = [
        '--corpus',
        corpus,
        '--backend',
        'cpu',
        '--cell',
        cell,
        '--hidden',
        '8',
        '--embed',
        '6',
      ];
      const sizes = ['--layers', '2', '--seq', '16', '--batch', '4', '--lr', '0.01', '--seed', '5'];
      const trained = jsonLines(run('train', [...common, ...sizes, '--steps', '5', '--json', '--out', out]));
      const val = trained.at(-1)!.val_loss!;
      run('export', ['--model', join(out, 'model.safetensors'), '--out', join(out, 'export')]);
      const torchOut = py([
        join(out, 'export', 'train.py'),
        ...['--corpus', corpus, '--steps', '3', '--eval-every', '1000'],
        ...['--out', join(out, 'trained.safetensors')],
      ]);
      const torchVal = Number(/step 5: validation ([\d.]+) nats/.exec(torchOut)?.[1]);
      expect(Math.abs(torchVal - val), torchOut).toBeLessThan(6e-5); // train.py prints 4 decimals
      const torchLosses = [6, 7, 8].map((s) =>
        Number(new RegExp(`step ${s}: loss ([\\d.]+)\\n`).exec(torchOut)?.[1]),
      );
      const resumed = jsonLines(
        run('train', [
          ...common,
          '--resume',
          join(out, 'model.safetensors'),
          '--steps',
          '3',
          '--json',
          '--out',
          join(out, 'more'),
        ]),
      ).filter((l) => l.loss !== undefined && l.val_loss === undefined && !l.done);
      expect(resumed.map((l) => l.step)).toEqual([6, 7, 8]);
      resumed.forEach((l, i) => expect(Math.abs(l.loss! - torchLosses[i]!), torchOut).toBeLessThan(2e-6));
      // What PyTorch saved continues in Unroll from step 8.
      const back = jsonLines(
        run('train', [
          ...common,
          '--resume',
          join(out, 'trained.safetensors'),
          '--steps',
          '1',
          '--json',
          '--out',
          join(out, 'back'),
        ]),
      );
      expect(back.at(-1)).toMatchObject({ done: true, step: 9 });
    }, 120_000);
  }
});

describe('PyTorch export parity: classifiers and taggers', () => {
  const cases: [TaskKind, string, 'lstm' | 'gru' | 'rnn', boolean, boolean][] = [
    ['classify', 'contains', 'lstm', false, true],
    ['classify', 'contains', 'gru', true, false],
    ['tag', 'ahead', 'lstm', true, false],
    ['tag', 'vowels', 'rnn', false, false],
  ];
  for (const [kind, task, cell, bidirectional, learnedInit] of cases) {
    it(`${kind} ${task}, ${cell}${bidirectional ? ' bidirectional' : ''}${learnedInit ? ', learned h₀' : ''}: predict.py gives Unroll's class probabilities`, async () => {
      const examples = examplesFor({ kind, generated: task, count: 200 }, 3);
      const m = TaskModel.create({
        kind,
        examples,
        model: {
          cell,
          embedSize: 6,
          hiddenSize: 8,
          layers: bidirectional ? 1 : 2,
          learnedInit,
          ...(bidirectional ? { bidirectional } : {}),
        },
        train: { ...DEFAULT_TRAIN, batchSize: 8, learningRate: 0.02, seed: 2 },
        device: null,
      });
      for (let i = 0; i < 5; i++) m.trainStep();
      await m.flush();
      // Inputs of different lengths in one batch: packing and the last-character readout are exercised.
      const inputs = examples.slice(0, 12).map((e) => e.input);
      const want = await m.predict(inputs);
      const out = mkdtempSync(join(dir, `${kind}-`));
      for (const f of exportFiles(decodeCheckpoint(await m.save()))) writeFileSync(join(out, f.name), f.data);
      m.dispose();
      writeFileSync(join(out, 'inputs.txt'), inputs.join('\n') + '\n');
      const got = py([join(out, 'predict.py'), '--predict', join(out, 'inputs.txt')])
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as { input: string; predicted: string; probs: number[][] });
      expect(got.map((g) => g.input)).toEqual(inputs);
      got.forEach((g, i) => {
        expect(g.predicted).toBe(want[i]!.predicted);
        expect(g.probs.length).toBe(want[i]!.probs.length);
        g.probs.flat().forEach((p, j) => expect(Math.abs(p - want[i]!.probs.flat()[j]!)).toBeLessThan(1e-5));
      });
    }, 60_000);
  }
});

describe('PyTorch export parity: encoder–decoders', () => {
  const cases: [TaskKind, string, 'lstm' | 'gru' | 'rnn', number, boolean][] = [
    ['seq2seq', 'reverse', 'lstm', 1, true],
    ['seq2seq', 'sort', 'gru', 2, false],
    ['generate', 'depth', 'rnn', 1, false],
  ];
  for (const [kind, task, cell, layers, attention] of cases) {
    it(`${kind} ${task}, ${cell} ${layers} layer${layers > 1 ? 's' : ''}${attention ? ' with attention' : ''}: predict.py decodes, beam-searches and scores as Unroll does`, async () => {
      const m = TaskModel.create({
        kind,
        examples: examplesFor({ kind, generated: task, count: 120 }, 5),
        model: {
          cell,
          embedSize: 6,
          hiddenSize: 8,
          layers,
          learnedInit: false,
          ...(attention ? { attention } : {}),
        },
        train: { ...DEFAULT_TRAIN, batchSize: 8, learningRate: 0.03, seed: 3 },
        device: null,
      });
      for (let i = 0; i < 30; i++) m.trainStep();
      await m.flush();
      // Inputs of several lengths (one window each length in Unroll, one at a time in PyTorch).
      const inputs = [...new Set(m.valSet.map((e) => e.input))].slice(0, 10);
      const want = await m.decode(inputs);
      const beam = await m.candidates(inputs[0]!, 3);
      const evaluation = await m.evaluate();
      const out = mkdtempSync(join(dir, `${kind}-`));
      for (const f of exportFiles(decodeCheckpoint(await m.save()))) writeFileSync(join(out, f.name), f.data);
      m.dispose();
      writeFileSync(join(out, 'inputs.txt'), inputs.join('\n') + '\n');
      writeFileSync(join(out, 'val.txt'), m.valSet.map((e) => `${e.input}\t${e.target}`).join('\n') + '\n');
      const lines = (args: string[]) =>
        py([join(out, 'predict.py'), ...args])
          .trim()
          .split('\n')
          .map((l) => JSON.parse(l) as Record<string, unknown>);
      const greedy = lines(['--predict', join(out, 'inputs.txt')]) as {
        input: string;
        predicted: string;
        logProb: number;
      }[];
      expect(greedy.map((g) => g.input)).toEqual(inputs);
      expect(greedy.map((g) => g.predicted)).toEqual(want.map((w) => w.text));
      greedy.forEach((g, i) => expect(Math.abs(g.logProb - want[i]!.logProb)).toBeLessThan(1e-4));
      const [searched] = lines(['--predict', join(out, 'inputs.txt'), '--beam', '3']) as {
        candidates: { output: string; logProb: number }[];
      }[];
      expect(searched!.candidates.map((c) => c.output)).toEqual(beam.map((b) => b.text));
      searched!.candidates.forEach((c, i) =>
        expect(Math.abs(c.logProb - beam[i]!.logProb)).toBeLessThan(1e-4),
      );
      const [score] = lines(['--eval', join(out, 'val.txt')]) as {
        examples: number;
        loss: number;
        accuracy: number;
        exact: number;
      }[];
      expect(score!.examples).toBe(m.valSet.length);
      expect(Math.abs(score!.loss - evaluation.loss)).toBeLessThan(1e-5);
      expect(score!.accuracy).toBeCloseTo(evaluation.accuracy, 12);
      expect(score!.exact).toBeCloseTo(evaluation.exact, 12);
    }, 120_000);
  }
});
