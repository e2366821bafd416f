// The two charts every run shows: loss (training, smoothed, and validation passes) and the global gradient
// norm before and after clipping with the threshold drawn. Both read the live ring, never React state.
import { useCallback } from 'react';
import { live } from '../../state/live';
import { isEncoderDecoder } from '../../core/tasks';
import { useRunStore, validationEvery } from '../../state/runStore';
import { SeriesChart, type Series } from './SeriesChart';
import { accuracySeries, gradSeries, gradThroughTimeSeries, lossSeries } from './series';
import { VAL_SECONDS } from '../../core/config';

export function LossChart() {
  const task = useRunStore((s) => s.task.kind !== 'lm');
  const every = useRunStore(validationEvery);
  const read = useCallback(
    ({ smoothing }: { smoothing: number }): Series[] =>
      lossSeries(
        live.steps,
        task ? live.task.map((p) => ({ step: p.step, nats: p.loss, bits: p.loss / Math.LN2 })) : live.val,
        smoothing,
        every,
      ),
    [task, every],
  );
  return (
    <SeriesChart
      testId="loss-chart"
      title="Loss"
      yLabel={task ? 'nats' : 'nats/char'}
      read={read}
      smoothing
    />
  );
}

/** A sequence task's validation accuracy (and, for tagging and encoder–decoders, whole sequences right). */
export function AccuracyChart() {
  // Tagging and encoder–decoders score characters, and whole sequences besides.
  const perChar = useRunStore(
    (s) => s.task.kind === 'tag' || (s.task.kind !== 'lm' && isEncoderDecoder(s.task.kind)),
  );
  const read = useCallback((): Series[] => accuracySeries(live.task, perChar), [perChar]);
  const every = useRunStore((s) => (s.run.status === 'ready' ? validationEvery(s) : 0));
  return (
    <SeriesChart
      testId="accuracy-chart"
      title="Validation accuracy"
      yLabel="accuracy"
      read={read}
      percent
      {...(every
        ? {
            empty: `Evaluated every ${every} steps, or after ${VAL_SECONDS} s of training if that comes first`,
          }
        : {})}
    />
  );
}

/**
 * ‖∂L/∂hₜ‖ across the last training window per layer (the inside view's "Gradient through time", and a
 * chart of its own for task runs, where a classifier's loss at the last step must travel back to the first).
 */
export function GradThroughTimeChart({ height }: { height?: number }) {
  const reverse = useRunStore((s) => !!s.run.info?.model.bidirectional);
  const read = useCallback((): Series[] => gradThroughTimeSeries(live.steps, reverse), [reverse]);
  return (
    <SeriesChart
      testId="grad-through-time"
      title="‖∂L/∂hₜ‖ across the window"
      yLabel="‖∂L/∂hₜ‖ (t = position)"
      read={read}
      defaultLog
      {...(height ? { height } : {})}
    />
  );
}

export function GradNormChart() {
  const clip = useRunStore((s) => s.train.clipNorm);
  const read = useCallback((): Series[] => gradSeries(live.steps, clip), [clip]);
  return (
    <SeriesChart testId="gradnorm-chart" title="Gradient norm" yLabel="‖∂L/∂θ‖" read={read} defaultLog />
  );
}
