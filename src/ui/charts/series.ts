// What the training charts draw, computed from the live ring as plain data (unit-tested without a DOM). A
// diverged step carries NaN or ∞; it is left out here, so no non-finite value ever reaches a chart, its
// smoothing, its axes or its CSV export.
import type { StepPoint } from '../../state/protocolTypes';
import type { TaskPoint, ValPoint } from '../../state/live';
import type { Series } from './SeriesChart';
import { VAL_SECONDS } from '../../core/config';

/** Okabe–Ito colours: distinguishable with every common colour-vision deficiency. */
export const PALETTE = {
  blue: '#0072B2',
  orange: '#E69F00',
  green: '#009E73',
  vermillion: '#D55E00',
  sky: '#56B4E9',
  purple: '#CC79A7',
};

const finite = (p: [number, number]): boolean => Number.isFinite(p[0]) && Number.isFinite(p[1]);

/** Points with a finite value only. */
export function finitePoints(points: [number, number][]): [number, number][] {
  return points.filter(finite);
}

/** Debiased exponential moving average (TensorBoard's smoothing); `a` 0 returns the points. */
export function ema(points: [number, number][], a: number): [number, number][] {
  let m = 0;
  return finitePoints(points).map(([x, y], i) => {
    m = a * m + (1 - a) * y;
    return [x, a > 0 ? m / (1 - a ** (i + 1)) : y];
  });
}

export function lossSeries(
  steps: readonly StepPoint[],
  val: readonly ValPoint[],
  smoothing: number,
  /** Validation cadence, named in the legend until the first pass lands (on a slow GPU that takes a while). */
  every?: number,
): Series[] {
  const raw = finitePoints(steps.map((p) => [p.step, p.loss]));
  return [
    { name: 'training (raw)', color: PALETTE.blue, points: raw, faint: true },
    { name: 'training', color: PALETTE.blue, points: ema(raw, smoothing) },
    {
      name:
        val.length === 0 && every ? `validation (every ${every} steps or ${VAL_SECONDS} s)` : 'validation',
      color: PALETTE.orange,
      points: finitePoints(val.map((v) => [v.step, v.nats])),
      dots: true,
    },
  ];
}

/** Validation accuracy of a sequence task; tagging adds the share of whole sequences right. */
export function accuracySeries(points: readonly TaskPoint[], tagged: boolean): Series[] {
  const series: Series[] = [
    {
      name: tagged ? 'characters right' : 'examples right',
      color: PALETTE.green,
      points: finitePoints(points.map((p) => [p.step, p.accuracy])),
    },
  ];
  if (tagged)
    series.push({
      name: 'whole sequences right',
      color: PALETTE.purple,
      points: finitePoints(points.map((p) => [p.step, p.exact])),
    });
  return series;
}

const LAYER_COLORS = [PALETTE.blue, PALETTE.sky, PALETTE.orange, PALETTE.purple];

export function gradSeries(pts: readonly StepPoint[], clip: number): Series[] {
  const series: Series[] = [
    {
      name: '‖g‖ before clipping',
      color: PALETTE.vermillion,
      points: finitePoints(pts.map((p) => [p.step, p.gradNorm])),
    },
    {
      name: 'after clipping',
      color: PALETTE.green,
      points: finitePoints(pts.map((p) => [p.step, p.gradNorm * p.clipScale])),
    },
  ];
  // Steps where clipping engaged (the exploding side of the gradient story).
  const clipped = finitePoints(pts.filter((p) => p.clipScale < 1).map((p) => [p.step, p.gradNorm]));
  if (clipped.length)
    series.push({ name: 'clipped', color: PALETTE.vermillion, points: clipped, dots: true });
  const layers = Math.max(0, ...pts.map((p) => p.layerNorms.length));
  if (layers > 1)
    for (let l = 0; l < layers; l++)
      series.push({
        name: `layer ${l + 1}`,
        color: LAYER_COLORS[l % LAYER_COLORS.length]!,
        points: finitePoints(
          pts.filter((p) => p.layerNorms.length > l).map((p) => [p.step, p.layerNorms[l]!]),
        ),
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
}

/**
 * ‖∂L/∂hₜ‖ over the positions of the last training window, one line per layer, with faint lines for the
 * windows at a quarter, half and three quarters of training so far: the vanishing gradient as a slope.
 */
export function gradThroughTimeSeries(pts: readonly StepPoint[], reverse = false): Series[] {
  // Colours per layer as the gradient-norm chart's per-layer lines.
  const last = pts[pts.length - 1];
  if (!last) return [];
  const earlier = [0.25, 0.5, 0.75]
    .map((f) => pts[Math.floor(f * (pts.length - 1))]!)
    .filter((p) => p !== last && p.dhNorms.length > 0);
  const rows = last.dhNorms.length;
  // A bidirectional model's last row is its reverse direction, by its own step (0: the line's last character):
  // drawn at position T − 1 − step, so its gradient fades to the right as the forward one's fades to the left
  // (exact for full-length lines; a shorter line's steps sit further left).
  const isReverse = (l: number) => reverse && l === rows - 1;
  const name = (l: number) => (isReverse(l) ? 'reverse layer' : `layer ${l + 1}`);
  const line = (d: Float32Array | number[] | undefined, l: number): [number, number][] => {
    const v = Array.from(d ?? []);
    return v.map((x, t) => [isReverse(l) ? v.length - 1 - t : t, x] as [number, number]);
  };
  return last.dhNorms.flatMap((_, l) => [
    ...earlier.map((p) => ({
      name: `${name(l)} at step ${p.step}`,
      color: isReverse(l) ? PALETTE.vermillion : LAYER_COLORS[l % LAYER_COLORS.length]!,
      points: line(p.dhNorms[l], l),
      faint: true,
    })),
    {
      name: `${name(l)} (step ${last.step})`,
      color: isReverse(l) ? PALETTE.vermillion : LAYER_COLORS[l % LAYER_COLORS.length]!,
      points: line(last.dhNorms[l], l),
    },
  ]);
}
