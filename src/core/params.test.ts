import { describe, expect, it } from 'vitest';
import type { ModelConfig } from './config';
import { ALIGN, initParams, paramLayout } from './params';

const lstm: ModelConfig = {
  cell: 'lstm',
  vocabSize: 65,
  embedSize: 32,
  hiddenSize: 48,
  layers: 2,
  learnedInit: false,
};

describe('paramLayout', () => {
  it('uses PyTorch names, shapes and gate-major row order', () => {
    const l = paramLayout(lstm);
    expect(l.tensors.map((t) => `${t.name} ${t.shape.join('x')}`)).toEqual([
      'embedding.weight 65x32',
      'rnn.weight_ih_l0 192x32',
      'rnn.weight_hh_l0 192x48',
      'rnn.bias_ih_l0 192',
      'rnn.bias_hh_l0 192',
      'rnn.weight_ih_l1 192x48',
      'rnn.weight_hh_l1 192x48',
      'rnn.bias_ih_l1 192',
      'rnn.bias_hh_l1 192',
      'head.weight 65x48',
      'head.bias 65',
    ]);
  });

  it('aligns every tensor and counts parameters without padding', () => {
    const l = paramLayout({ ...lstm, cell: 'gru', learnedInit: true, layers: 1 });
    for (const t of l.tensors) expect(t.offset % ALIGN).toBe(0);
    expect(l.count).toBe(65 * 32 + 144 * 32 + 144 * 48 + 144 * 2 + 48 + 65 * 48 + 65);
    expect(l.tensors.some((t) => t.name === 'rnn.c0_l0')).toBe(false);
    expect(l.layers[0]?.h0?.pytorch).toBe(false);
  });

  it('adds peephole weights and LSTM c0 where configured', () => {
    const l = paramLayout({ ...lstm, cell: 'lstm-peephole', learnedInit: true, layers: 1 });
    expect(l.layers[0]?.peephole?.shape).toEqual([3, 48]);
    expect(l.layers[0]?.c0?.shape).toEqual([48]);
  });

  it('initialises reproducibly within PyTorch’s bounds and keeps padding zero', () => {
    const l = paramLayout(lstm);
    const p = initParams(lstm, l, 7);
    expect(initParams(lstm, l, 7)).toEqual(p);
    const w = l.layers[0]!.weightHh;
    const bound = 1 / Math.sqrt(48);
    for (let i = 0; i < w.size; i++) expect(Math.abs(p[w.offset + i]!)).toBeLessThanOrEqual(bound);
    const e = l.embedding;
    for (let i = e.size; i < l.layers[0]!.weightIh.offset; i++) expect(p[i]).toBe(0);
  });

  it('initialises a head behind a bidirectional layer with fan-in 2H, as nn.Linear(2H, O)', () => {
    const m = { ...lstm, layers: 1, bidirectional: true, outputSize: 3 };
    const l = paramLayout(m);
    const p = initParams(m, l, 7);
    const head = p.subarray(l.headWeight.offset, l.headWeight.offset + l.headWeight.size);
    const max = Math.max(...head.map(Math.abs));
    expect(max).toBeLessThanOrEqual(1 / Math.sqrt(96));
    expect(max).toBeGreaterThan(0.9 / Math.sqrt(96));
  });
});
