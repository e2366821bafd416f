// No non-finite value reaches a chart: a diverged step (NaN loss, ∞ gradient norm) is left out of every
// series, the smoothed line carries on past it, and restored points without per-layer data draw nothing odd.
import { describe, expect, it } from 'vitest';
import type { StepPoint } from '../../state/protocolTypes';
import { ema, gradSeries, gradThroughTimeSeries, lossSeries } from './series';

const point = (step: number, loss: number, gradNorm: number, clipScale = 1): StepPoint => ({
  step,
  epoch: 0,
  loss,
  gradNorm,
  clipScale,
  nonFinite: !Number.isFinite(loss) || !Number.isFinite(gradNorm),
  dhNorms: [],
  layerNorms: [gradNorm / 2, gradNorm / 2],
});

const steps = [
  point(1, 4, 2),
  point(2, 3.5, 8, 0.6),
  point(3, NaN, Infinity, NaN),
  point(4, Infinity, NaN),
  point(5, 3, 1),
];

describe('chart series', () => {
  it('leave out every non-finite value (divergence never reaches a chart)', () => {
    const all = [
      ...lossSeries(
        steps,
        [
          { step: 3, nats: NaN, bits: NaN },
          { step: 5, nats: 3.1, bits: 4.5 },
        ],
        0.6,
      ),
      ...gradSeries(steps, 5),
    ];
    for (const s of all)
      for (const [x, y] of s.points) {
        expect(Number.isFinite(x), s.name).toBe(true);
        expect(Number.isFinite(y), s.name).toBe(true);
      }
    const training = all.find((s) => s.name === 'training')!;
    expect(training.points.map((p) => p[0])).toEqual([1, 2, 5]);
    expect(all.find((s) => s.name === 'validation')!.points).toEqual([[5, 3.1]]);
    // Before the first pass the legend says when passes come.
    expect(lossSeries(steps, [], 0.6, 100).map((s) => s.name)).toContain(
      'validation (every 100 steps or 15 s)',
    );
    expect(all.find((s) => s.name === 'clipped')!.points).toEqual([[2, 8]]);
  });

  it('smooth with a debiased moving average that a NaN does not poison', () => {
    const out = ema(
      [
        [1, 2],
        [2, NaN],
        [3, 4],
      ],
      0.5,
    );
    // m1 = 0.5·2 = 1 → 1/0.5 = 2; m2 = 0.5·1 + 0.5·4 = 2.5 → 2.5/0.75
    expect(out).toEqual([
      [1, 2],
      [3, 2.5 / 0.75],
    ]);
  });

  it('draw per-layer norms only for points that have them (restored history has none)', () => {
    const restored = { ...point(0, 4, 2), layerNorms: [] };
    const layers = gradSeries([restored, ...steps], 0).filter((s) => s.name.startsWith('layer'));
    expect(layers.map((s) => s.points.length)).toEqual([3, 3]);
  });

  it('draw ‖∂L/∂hₜ‖ per layer for the last window, with faint earlier windows', () => {
    const pts = Array.from({ length: 9 }, (_, i) => ({
      ...point(i + 1, 3, 1),
      dhNorms: [
        [0.1 * i, 0.2, 0.3],
        [1, 2, 3 + i],
      ],
    }));
    const series = gradThroughTimeSeries(pts);
    const solid = series.filter((x) => !x.faint);
    expect(solid.map((x) => x.name)).toEqual(['layer 1 (step 9)', 'layer 2 (step 9)']);
    expect(solid[1]!.points).toEqual([
      [0, 1],
      [1, 2],
      [2, 11],
    ]);
    // Windows at 1/4, 1/2 and 3/4 of the run so far, per layer.
    expect(series.filter((x) => x.faint).map((x) => x.name)).toEqual([
      'layer 1 at step 3',
      'layer 1 at step 5',
      'layer 1 at step 7',
      'layer 2 at step 3',
      'layer 2 at step 5',
      'layer 2 at step 7',
    ]);
    expect(gradThroughTimeSeries([])).toEqual([]);
    // Bidirectional: the last row is the reverse direction, by its own step, drawn from the right.
    const rev = gradThroughTimeSeries(pts, true).filter((x) => !x.faint);
    expect(rev.map((x) => x.name)).toEqual(['layer 1 (step 9)', 'reverse layer (step 9)']);
    expect(rev[1]!.points).toEqual([
      [2, 1],
      [1, 2],
      [0, 11],
    ]);
  });
});
