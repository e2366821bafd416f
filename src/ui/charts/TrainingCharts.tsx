// The two charts every run shows: loss (training, smoothed, and validation passes) and the global gradient
// norm before and after clipping with the threshold drawn. Both read the live ring, never React state.
import { useCallback } from 'react';
import { live } from '../../state/live';
import { useRunStore } from '../../state/runStore';
import { SeriesChart, type Series } from './SeriesChart';

/** Okabe–Ito colours: distinguishable with every common colour-vision deficiency. */
export const PALETTE = {
  blue: '#0072B2',
  orange: '#E69F00',
  green: '#009E73',
  vermillion: '#D55E00',
  sky: '#56B4E9',
  purple: '#CC79A7',
};

function ema(points: [number, number][], a: number): [number, number][] {
  let m = NaN;
  let debias = 0;
  return points.map(([x, y], i) => {
    m = i === 0 ? y * (1 - a) : a * m + (1 - a) * y;
    debias = 1 - a ** (i + 1);
    return [x, a > 0 ? m / debias : y];
  });
}

export function LossChart() {
  const read = useCallback(({ smoothing }: { smoothing: number }): Series[] => {
    const raw = live.steps.map((p) => [p.step, p.loss] as [number, number]);
    return [
      { name: 'training (raw)', color: PALETTE.blue, points: raw, faint: true },
      { name: 'training', color: PALETTE.blue, points: ema(raw, smoothing) },
      {
        name: 'validation',
        color: PALETTE.orange,
        points: live.val.map((v) => [v.step, v.nats]),
        dots: true,
      },
    ];
  }, []);
  return <SeriesChart testId="loss-chart" title="Loss" yLabel="nats/char" read={read} smoothing />;
}

export function GradNormChart() {
  const clip = useRunStore((s) => s.train.clipNorm);
  const read = useCallback((): Series[] => {
    const pts = live.steps;
    const series: Series[] = [
      {
        name: '‖g‖ before clipping',
        color: PALETTE.vermillion,
        points: pts.map((p) => [p.step, p.gradNorm]),
      },
      {
        name: 'after clipping',
        color: PALETTE.green,
        points: pts.map((p) => [p.step, p.gradNorm * p.clipScale]),
      },
    ];
    // Steps where clipping engaged (the exploding side of the gradient story).
    const clipped = pts.filter((p) => p.clipScale < 1).map((p) => [p.step, p.gradNorm] as [number, number]);
    if (clipped.length)
      series.push({ name: 'clipped', color: PALETTE.vermillion, points: clipped, dots: true });
    const layers = pts[0]?.layerNorms.length ?? 0;
    const layerColors = [PALETTE.blue, PALETTE.sky, PALETTE.orange, PALETTE.purple];
    if (layers > 1)
      for (let l = 0; l < layers; l++)
        series.push({
          name: `layer ${l + 1}`,
          color: layerColors[l]!,
          points: pts.map((p) => [p.step, p.layerNorms[l]!]),
          thin: true,
        });
    if (clip > 0 && pts.length)
      series.push({
        name: `clip threshold ${clip}`,
        color: PALETTE.purple,
        points: [
          [pts[0]!.step, clip],
          [pts[pts.length - 1]!.step, clip],
        ],
        dashed: true,
      });
    return series;
  }, [clip]);
  return (
    <SeriesChart testId="gradnorm-chart" title="Gradient norm" yLabel="‖∂L/∂θ‖" read={read} defaultLog />
  );
}
