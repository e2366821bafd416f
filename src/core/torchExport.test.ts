// What the PyTorch export refuses, and why (the exports it writes are run in PyTorch: src/cli/torch.test.ts).
import { describe, expect, it } from 'vitest';
import type { Checkpoint } from './checkpoint';
import { DEFAULT_TRAIN } from './config';
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
  it('refuses encoder–decoders and peephole LSTMs with the reason', () => {
    expect(() =>
      exportFiles(ck({ task: { kind: 'seq2seq', classes: ['\0', 'a'], sources: ['a'] } })),
    ).toThrow(
      /seq2seq model \(an encoder–decoder\); the PyTorch export rebuilds language models, classifiers and taggers/,
    );
    expect(() => exportFiles(ck({ model: { ...ck({}).model, cell: 'lstm-peephole' } }))).toThrow(
      /Peephole LSTMs cannot be exported/,
    );
  });
});
