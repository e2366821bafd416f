import { describe, expect, it } from 'vitest';
import { CELL_TYPES, type ModelConfig } from '../core/config';
import { type ParamLayout, initParams, paramLayout } from '../core/params';
import { Rng } from '../core/rng';
import { gradCheck } from './gradcheck';
import { encoderDecoderBatch, randomTaskBatch as taskBatch } from '../core/batches';
import { type Batch, forwardBackward } from './model';

function batchFor(V: number, T: number, B: number, seed: number) {
  const rng = new Rng(seed);
  const tokens = Array.from({ length: (T + 1) * B }, () => rng.int(V));
  // Window of T+1 characters per stream: inputs are 0..T−1, targets 1..T.
  return { T, B, inputs: tokens.slice(0, T * B), targets: tokens.slice(B) };
}

/** Every tensor's analytic gradient against centred differences at its ends and `random` seeded entries. */
function expectGradientsMatch(
  cfg: ModelConfig,
  layout: ParamLayout,
  params: Float64Array,
  batch: Batch,
  seed: number,
  random: number,
): void {
  const fb = forwardBackward(cfg, layout, params, batch);
  const rng = new Rng(seed);
  for (const t of layout.tensors) {
    const idx = [0, t.size - 1, ...Array.from({ length: random }, () => rng.int(t.size))].map(
      (i) => t.offset + i,
    );
    const res = gradCheck((p) => forwardBackward(cfg, layout, p, batch).loss, params, fb.grads, idx);
    const worst = res.reduce((a, r) => (r.relError > a.relError ? r : a));
    expect(
      worst.relError,
      `${t.name}[${worst.index - t.offset}] analytic ${worst.analytic} numeric ${worst.numeric}`,
    ).toBeLessThan(1e-6);
  }
}

describe('reference model gradients (centred differences, float64)', () => {
  for (const cell of CELL_TYPES) {
    for (const layers of [1, 2]) {
      for (const learnedInit of [false, true]) {
        it(`${cell}, ${layers} layer(s), learned h0 ${learnedInit ? 'on' : 'off'}: every tensor within 1e-6`, () => {
          const cfg: ModelConfig = { cell, vocabSize: 5, embedSize: 3, hiddenSize: 4, layers, learnedInit };
          const layout = paramLayout(cfg);
          const params = Float64Array.from(initParams(cfg, layout, 11));
          // Non-zero learned initial states, so their gradients are not a special case.
          for (const lt of layout.layers)
            for (const t of [lt.h0, lt.c0])
              if (t) for (let i = 0; i < t.size; i++) params[t.offset + i] = 0.3 * Math.sin(i + 1);
          const batch = batchFor(5, 4, 2, 3);
          expectGradientsMatch(cfg, layout, params, batch, 5, 4);
        });
      }
    }
  }

  it('uses a carried initial state instead of h0 and gives it no gradient', () => {
    const cfg: ModelConfig = {
      cell: 'lstm',
      vocabSize: 5,
      embedSize: 3,
      hiddenSize: 4,
      layers: 2,
      learnedInit: true,
    };
    const layout = paramLayout(cfg);
    const params = Float64Array.from(initParams(cfg, layout, 2));
    const batch = batchFor(5, 3, 2, 9);
    const first = forwardBackward(cfg, layout, params, batch);
    const initial = { h: first.finalH, c: first.finalC };
    const second = forwardBackward(cfg, layout, params, batch, initial);
    expect(second.loss).not.toBe(first.loss);
    expect(second.hs[0]!.subarray(0, 8)).toEqual(first.finalH[0]);
    expect(second.grads[layout.layers[0]!.h0!.offset]).toBe(0);
    const res = gradCheck((p) => forwardBackward(cfg, layout, p, batch, initial).loss, params, second.grads, [
      layout.layers[1]!.weightHh.offset + 5,
    ]);
    expect(res[0]!.relError).toBeLessThan(1e-6);
  });

  it('mixes carried and reset sequences; h0 and c0 get gradient from the reset ones only', () => {
    const cfg: ModelConfig = {
      cell: 'lstm',
      vocabSize: 5,
      embedSize: 3,
      hiddenSize: 4,
      layers: 2,
      learnedInit: true,
    };
    const layout = paramLayout(cfg);
    const params = Float64Array.from(initParams(cfg, layout, 3));
    const batch = batchFor(5, 3, 3, 4);
    const first = forwardBackward(cfg, layout, params, batch);
    const initial = { h: first.finalH, c: first.finalC, reset: [false, true, false] };
    const mixed = forwardBackward(cfg, layout, params, batch, initial);
    const h0 = layout.layers[1]!.h0!.offset;
    const c0 = layout.layers[0]!.c0!.offset;
    expect(mixed.grads[h0]).not.toBe(0);
    const allCarried = forwardBackward(cfg, layout, params, batch, {
      ...initial,
      reset: [false, false, false],
    });
    expect(allCarried.grads[h0]).toBe(0);
    const res = gradCheck((p) => forwardBackward(cfg, layout, p, batch, initial).loss, params, mixed.grads, [
      h0,
      h0 + 2,
      c0 + 1,
    ]);
    for (const r of res) expect(r.relError).toBeLessThan(1e-6);
  });

  for (const tagged of [false, true])
    it(`a sequence task (${tagged ? 'a tag per step' : 'one label per sequence'}, 3 classes on 5 tokens, loss over labelled steps): every tensor within 1e-6`, () => {
      const cfg: ModelConfig = {
        cell: 'gru',
        vocabSize: 5,
        outputSize: 3,
        embedSize: 3,
        hiddenSize: 4,
        layers: 2,
        learnedInit: true,
      };
      const layout = paramLayout(cfg);
      expect(layout.headWeight.shape).toEqual([3, 4]);
      const params = Float64Array.from(initParams(cfg, layout, 13));
      const batch = { T: 4, B: 3, ...taskBatch(5, 3, 4, 3, 31, tagged) };
      const fb = forwardBackward(cfg, layout, params, batch);
      // The loss is the mean over labelled positions: their losses sum to count × loss.
      expect(fb.losses.reduce((a, b) => a + b, 0)).toBeCloseTo(fb.loss * batch.count!, 12);
      expectGradientsMatch(cfg, layout, params, batch, 7, 3);
    });

  for (const cell of CELL_TYPES) {
    it(`encoder–decoder ${cell}, 2 layers (encoder 2 steps → decoder 3, the gradient handed back at the split): every tensor within 1e-6`, () => {
      const cfg: ModelConfig = {
        cell,
        vocabSize: 5,
        embedSize: 3,
        hiddenSize: 4,
        layers: 2,
        learnedInit: false,
        encoder: { vocabSize: 4 },
      };
      const layout = paramLayout(cfg);
      const params = Float64Array.from(initParams(cfg, layout, 13));
      const b = encoderDecoderBatch(4, 5, 5, 2, 2, 7);
      expectGradientsMatch(cfg, layout, params, { T: 5, B: 2, ...b }, 9, 3);
      // The encoder's tensors learn only through the hand-off: they must have gradient.
      const fb = forwardBackward(cfg, layout, params, { T: 5, B: 2, ...b });
      const enc = layout.encoder!.layers[0]!.weightHh;
      expect(Math.max(...fb.grads.subarray(enc.offset, enc.offset + enc.size).map(Math.abs))).toBeGreaterThan(
        1e-4,
      );
    });
  }

  for (const cell of ['gru', 'lstm', 'rnn'] as const) {
    it(`encoder–decoder ${cell} with additive attention (encoder 3 steps → decoder 3): every tensor within 1e-6`, () => {
      const cfg: ModelConfig = {
        cell,
        vocabSize: 5,
        embedSize: 3,
        hiddenSize: 4,
        layers: 1,
        learnedInit: false,
        encoder: { vocabSize: 4 },
        attention: true,
      };
      const layout = paramLayout(cfg);
      const params = Float64Array.from(initParams(cfg, layout, 17));
      // Sharper scores than at initialisation, so the query's and keys' gradients are well above rounding.
      for (const t of Object.values(layout.attention!))
        for (let i = 0; i < t.size; i++) params[t.offset + i]! *= 4;
      const b = encoderDecoderBatch(4, 5, 6, 2, 3, 11);
      expectGradientsMatch(cfg, layout, params, { T: 6, B: 2, ...b }, 9, 3);
      const fb = forwardBackward(cfg, layout, params, { T: 6, B: 2, ...b });
      for (const t of Object.values(layout.attention!))
        expect(
          Math.max(...fb.grads.subarray(t.offset, t.offset + t.size).map(Math.abs)),
          t.name,
        ).toBeGreaterThan(1e-5);
    });
  }

  for (const cell of CELL_TYPES)
    for (const tagged of [false, true]) {
      it(`bidirectional ${cell} (${tagged ? 'a tag per step: mirrored rows' : 'a label at the last step'}, sequences of varying length): every tensor within 1e-6`, () => {
        const cfg: ModelConfig = {
          cell,
          vocabSize: 5,
          outputSize: 3,
          embedSize: 3,
          hiddenSize: 4,
          layers: 1,
          learnedInit: false,
          bidirectional: true,
        };
        const layout = paramLayout(cfg);
        const params = Float64Array.from(initParams(cfg, layout, 19));
        const b = taskBatch(5, 3, 4, 3, 21, tagged, true);
        expectGradientsMatch(cfg, layout, params, { T: 4, B: 3, ...b }, 9, 3);
        const rev = layout.reverse![0]!.weightHh;
        const fb = forwardBackward(cfg, layout, params, { T: 4, B: 3, ...b });
        expect(
          Math.max(...fb.grads.subarray(rev.offset, rev.offset + rev.size).map(Math.abs)),
        ).toBeGreaterThan(1e-4);
      });
    }

  it('a wrong gradient is caught (the check can fail)', () => {
    const cfg: ModelConfig = {
      cell: 'gru',
      vocabSize: 5,
      embedSize: 3,
      hiddenSize: 4,
      layers: 1,
      learnedInit: false,
    };
    const layout = paramLayout(cfg);
    const params = Float64Array.from(initParams(cfg, layout, 1));
    const batch = batchFor(5, 3, 2, 1);
    const grads = forwardBackward(cfg, layout, params, batch).grads;
    const i = layout.layers[0]!.weightHh.offset + 3;
    grads[i] = grads[i]! * 1.001;
    const [r] = gradCheck((p) => forwardBackward(cfg, layout, p, batch).loss, params, grads, [i]);
    expect(r!.relError).toBeGreaterThan(1e-6);
  });
});
