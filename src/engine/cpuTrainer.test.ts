import { describe, expect, it } from 'vitest';
import { StreamBatcher } from '../core/batches';
import { DEFAULT_TRAIN } from '../core/config';
import { Vocab } from '../core/vocab';
import { CpuTrainer } from './cpuTrainer';
import type { StepMetrics } from './types';

describe('CpuTrainer (labelled CPU fallback)', () => {
  it('emits the same metrics as the GPU engine and learns', async () => {
    const text = 'abcabd'.repeat(30);
    const vocab = Vocab.fromText(text);
    const batcher = new StreamBatcher(vocab.encode(text), 2, 6);
    const t = new CpuTrainer(
      { cell: 'gru', vocabSize: vocab.size, embedSize: 8, hiddenSize: 8, layers: 1, learnedInit: false },
      { ...DEFAULT_TRAIN, seqLen: 6, batchSize: 2, learningRate: 0.05 },
    );
    expect(t.kind).toBe('cpu');
    const seen: StepMetrics[] = [];
    t.events.on('metrics', (m) => seen.push(m));
    for (let i = 0; i < 60; i++) t.step(batcher.next());
    expect(seen).toHaveLength(0); // asynchronous, like the GPU
    await t.flush();
    expect(seen).toHaveLength(60);
    expect(seen[0]!.dhNorms[0]).toHaveLength(6);
    expect(seen[59]!.loss).toBeLessThan(seen[0]!.loss * 0.6);
  });

  it('refuses models too large for the CPU, saying why', () => {
    expect(
      () =>
        new CpuTrainer(
          { cell: 'lstm', vocabSize: 65, embedSize: 512, hiddenSize: 512, layers: 2, learnedInit: false },
          DEFAULT_TRAIN,
        ),
    ).toThrow(/CPU fallback handles models up to/);
  });
});
