// Every cell learns a small generated corpus on Dawn + SwiftShader within a stated budget: a periodic
// phrase whose next character depends on up to two characters of context.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acquireNodeDevice } from '../cli/dawn';
import { StreamBatcher } from '../core/batches';
import { CELL_TYPES, DEFAULT_TRAIN } from '../core/config';
import { Vocab } from '../core/vocab';
import { Engine } from './engine';

let device: GPUDevice;
beforeAll(async () => {
  device = (await acquireNodeDevice()).device;
});
afterAll(() => device?.destroy());

const TEXT = 'hello world! '.repeat(40);
const STEPS = 150;
const THRESHOLD = 0.5; // nats/char, averaged over the last 10 steps; a uniform guess is ln(9) ≈ 2.2

describe('learning on a generated corpus', () => {
  for (const cell of CELL_TYPES) {
    it(`${cell} gets below ${THRESHOLD} nats/char within ${STEPS} steps`, async () => {
      const vocab = Vocab.fromText(TEXT);
      const batcher = new StreamBatcher(vocab.encode(TEXT), 4, 8);
      const engine = Engine.create(
        device,
        { cell, vocabSize: vocab.size, embedSize: 16, hiddenSize: 16, layers: 1, learnedInit: false },
        { ...DEFAULT_TRAIN, seqLen: 8, batchSize: 4, learningRate: 0.03, seed: 5 },
      );
      const losses: number[] = [];
      engine.events.on('metrics', (m) => losses.push(m.loss));
      for (let i = 0; i < STEPS; i++) {
        engine.step(batcher.next());
        if (i % 16 === 15) await engine.flush();
      }
      await engine.flush();
      engine.dispose();
      expect(losses).toHaveLength(STEPS);
      const tail = losses.slice(-10).reduce((a, b) => a + b, 0) / 10;
      expect(tail, `losses: first ${losses[0]?.toFixed(3)}, last ${tail.toFixed(3)}`).toBeLessThan(THRESHOLD);
    });
  }
});
