// The two charts every run shows: loss (training, smoothed, and validation passes) and the global gradient
// norm before and after clipping with the threshold drawn. Both read the live ring, never React state.
import { useCallback } from 'react';
import { live } from '../../state/live';
import { useRunStore } from '../../state/runStore';
import { SeriesChart, type Series } from './SeriesChart';
import { gradSeries, lossSeries } from './series';

export function LossChart() {
  const read = useCallback(
    ({ smoothing }: { smoothing: number }): Series[] => lossSeries(live.steps, live.val, smoothing),
    [],
  );
  return <SeriesChart testId="loss-chart" title="Loss" yLabel="nats/char" read={read} smoothing />;
}

export function GradNormChart() {
  const clip = useRunStore((s) => s.train.clipNorm);
  const read = useCallback((): Series[] => gradSeries(live.steps, clip), [clip]);
  return (
    <SeriesChart testId="gradnorm-chart" title="Gradient norm" yLabel="‖∂L/∂θ‖" read={read} defaultLog />
  );
}
