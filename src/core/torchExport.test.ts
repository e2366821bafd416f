// What the PyTorch export refuses, and why (the exports it writes are run in PyTorch: src/cli/torch.test.ts).
import { describe, expect, it } from 'vitest';
import type { Checkpoint } from './checkpoint';
import { DEFAULT_TRAIN } from './config';
import { paramLayout } from './params';
import { exportFiles } from './torchExport';

const ck = (o: Partial<Checkpoint>): Checkpoint => ({
  model: { cell: 'gru', vocabSize: 5, embedSize: 4, hiddenSize: 4, layers: 1, learnedInit: false },
  train: DEFAULT_TRAIN,
  vocab: ['a', 'b', 'c', 'd', 'e'],
  step: 1,
  data: { epoch: 0, window: 0, valFraction: 0.1, corpusChars: 10, corpusHash: '00000000' },
  params: new Float32Array(1),
  ...o,
});

describe('PyTorch export', () => {
  it('refuses peephole LSTMs with the reason', () => {
    expect(() => exportFiles(ck({ model: { ...ck({}).model, cell: 'lstm-peephole' } }))).toThrow(
      /Peephole LSTMs cannot be exported/,
    );
  });

  it("gives an encoder–decoder a predict.py that stops where Unroll's decoding stops", () => {
    const model = { ...ck({}).model, vocabSize: 2, encoder: { vocabSize: 1 } };
    const params = new Float32Array(paramLayout(model).totalSize);
    const files = exportFiles(
      ck({
        model,
        params,
        train: { ...DEFAULT_TRAIN, seqLen: 9 },
        task: { kind: 'seq2seq', classes: ['\0', 'a'], sources: ['a'], decoderSteps: 4 },
      }),
    );
    expect(files.map((f) => f.name)).toEqual(['model.safetensors', 'vocab.json', 'predict.py', 'README.txt']);
    const py = files.find((f) => f.name === 'predict.py')!.data as string;
    expect(py).toContain('"decoderSteps": 4');
    expect(py).toContain('"sourceSteps": 5');
    expect(py).not.toContain('@');
    expect(files.find((f) => f.name === 'vocab.json')!.data).toBe('["\\u0000","a"]');
    // A file saved before decoderSteps existed: the window less one step bounds the decoding and the inputs.
    const older = exportFiles(
      ck({
        model,
        params,
        train: { ...DEFAULT_TRAIN, seqLen: 9 },
        task: { kind: 'generate', classes: ['\0', 'a'], sources: ['a'] },
      }),
    );
    const olderPy = older.find((f) => f.name === 'predict.py')!.data as string;
    expect(olderPy).toContain('"decoderSteps": 8');
    expect(olderPy).toContain('"sourceSteps": 8'); // not 9 − 8 = 1: the inputs' bound is the window's too
  });
});
