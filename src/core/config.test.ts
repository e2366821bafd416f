// Model validation for the task shapes of issue 9: attention and bidirectional layers are refused where they
// cannot work, each with the reason, before anything is allocated.
import { describe, expect, it } from 'vitest';
import { type ModelConfig, validateModel } from './config';
import { paramLayout } from './params';

const base: ModelConfig = {
  cell: 'gru',
  vocabSize: 5,
  embedSize: 4,
  hiddenSize: 6,
  layers: 1,
  learnedInit: false,
};

describe('validateModel for encoder–decoder, attention and bidirectional models', () => {
  it('refuses attention or a reverse layer where they cannot work, naming why', () => {
    expect(validateModel({ ...base, attention: true }).join(' ')).toMatch(/Attention needs an encoder/);
    expect(
      validateModel({ ...base, encoder: { vocabSize: 3 }, attention: true, layers: 2 }).join(' '),
    ).toMatch(/Attention works with one layer/);
    expect(validateModel({ ...base, bidirectional: true, layers: 2 }).join(' ')).toMatch(
      /one layer in each direction/,
    );
    expect(validateModel({ ...base, bidirectional: true, encoder: { vocabSize: 3 } }).join(' ')).toMatch(
      /classify and tag tasks/,
    );
    expect(validateModel({ ...base, encoder: { vocabSize: 3 }, learnedInit: true }).join(' ')).toMatch(
      /starts from zeros/,
    );
    expect(validateModel({ ...base, encoder: { vocabSize: 3 }, attention: true })).toEqual([]);
    expect(validateModel({ ...base, bidirectional: true })).toEqual([]);
  });

  it('lays out PyTorch names: encoder./decoder. stacks, *_reverse tensors and a 2H head', () => {
    const ed = paramLayout({ ...base, encoder: { vocabSize: 3 }, attention: true });
    expect(ed.tensors.map((t) => t.name)).toEqual([
      'encoder.embedding.weight',
      'encoder.rnn.weight_ih_l0',
      'encoder.rnn.weight_hh_l0',
      'encoder.rnn.bias_ih_l0',
      'encoder.rnn.bias_hh_l0',
      'decoder.embedding.weight',
      'decoder.rnn.weight_ih_l0',
      'decoder.rnn.weight_hh_l0',
      'decoder.rnn.bias_ih_l0',
      'decoder.rnn.bias_hh_l0',
      'attention.query.weight',
      'attention.key.weight',
      'attention.energy.weight',
      'attention.context.weight',
      'head.weight',
      'head.bias',
    ]);
    expect(ed.encoder!.embedding.shape).toEqual([3, 4]);
    const bi = paramLayout({ ...base, bidirectional: true, outputSize: 2 });
    expect(bi.tensors.filter((t) => t.name.endsWith('_reverse')).map((t) => t.name)).toEqual([
      'rnn.weight_ih_l0_reverse',
      'rnn.weight_hh_l0_reverse',
      'rnn.bias_ih_l0_reverse',
      'rnn.bias_hh_l0_reverse',
    ]);
    expect(bi.headWeight.shape).toEqual([2, 12]);
  });
});
