// The weights of one layer: W_hh and W_ih of one gate as heatmaps (rows: the gate's units; columns: the
// hidden units or the inputs they read), symmetric colour scale around zero, and each recurrent matrix's
// norm over training (one point per snapshot).
import { useCallback, useEffect, useRef } from 'react';
import { live } from '../../state/live';
import type { WeightSnapshot } from '../../state/protocolTypes';
import { SeriesChart, type Series } from '../charts/SeriesChart';
import { PALETTE } from '../charts/series';
import { colourFor } from './Heatmap';

function Matrix({
  data,
  rows,
  cols,
  row0,
  label,
}: {
  data: Float32Array;
  rows: number;
  cols: number;
  row0: number;
  label: string;
}) {
  const ref = useRef<HTMLCanvasElement>(null);
  const cell = Math.max(1, Math.min(8, Math.floor(300 / Math.max(rows, cols))));
  useEffect(() => {
    const ctx = ref.current?.getContext('2d');
    if (!ctx) return;
    let max = 1e-12;
    for (let r = 0; r < rows; r++)
      for (let c = 0; c < cols; c++) max = Math.max(max, Math.abs(data[(row0 + r) * cols + c]!));
    for (let r = 0; r < rows; r++)
      for (let c = 0; c < cols; c++) {
        ctx.fillStyle = colourFor(data[(row0 + r) * cols + c]! / max, true);
        ctx.fillRect(c * cell, r * cell, cell, cell);
      }
  }, [data, rows, cols, row0, cell]);
  return (
    <figure className="matrix">
      <canvas ref={ref} width={cols * cell} height={rows * cell} aria-label={label} />
      <figcaption>{label}</figcaption>
    </figure>
  );
}

/** What a layer's W_ih reads: the embedding for a stack's first layer, else the layer below. */
function inputOf(w: WeightSnapshot): string {
  const label = w.layers[w.layer] ?? '';
  return label.endsWith(' 1') ? 'embedding' : 'layer-below';
}

export function WeightsView({
  w,
  H,
  gates,
  gate,
  history,
}: {
  w: WeightSnapshot;
  H: number;
  gates: string[];
  gate: number;
  /** Each weight tensor's norm per snapshot, by PyTorch name. */
  history: { step: number; norms: Record<string, number> }[];
}) {
  const names = gates.length ? gates : ['h'];
  const g = Math.min(gate, names.length - 1);
  const read = useCallback((): Series[] => {
    const colors = [
      PALETTE.blue,
      PALETTE.orange,
      PALETTE.green,
      PALETTE.purple,
      PALETTE.sky,
      PALETTE.vermillion,
    ];
    const keys = Object.keys(history.at(-1)?.norms ?? {}).filter(
      (k) => k.includes('weight_hh') || k.includes('weight_ih'),
    );
    return keys.map((k, i) => ({
      name: k.replace(/(^|\.)rnn\./, '$1'),
      color: colors[i % colors.length]!,
      points: history.map((h) => [h.step, h.norms[k]!] as [number, number]),
    }));
    // live.version makes the chart redraw; the history itself comes from the store.
  }, [history]);
  useEffect(() => {
    live.version++;
  }, [history]);
  return (
    <div className="weights" data-testid="weight-heatmap">
      <div className="matrices">
        <Matrix
          data={w.whh}
          rows={H}
          cols={H}
          row0={g * H}
          label={`W_hh, gate ${names[g]} (${H}×${H}): row = unit, column = previous hₜ₋₁ unit`}
        />
        <Matrix
          data={w.wih}
          rows={H}
          cols={w.inputs}
          row0={g * H}
          label={`W_ih, gate ${names[g]} (${H}×${w.inputs}): column = ${inputOf(w)} input`}
        />
      </div>
      {history.length > 0 && (
        <SeriesChart
          testId="weight-norms"
          title="Weight norms over training"
          yLabel="‖W‖"
          read={read}
          height={170}
        />
      )}
    </div>
  );
}
