// A units × time heatmap on a canvas (hundreds of units × dozens of characters redraw in well under a frame):
// diverging colours for states in (−1, 1), sequential for gates in (0, 1). Click selects a unit; hover reads
// out the value. Colours are colour-blind safe (blue ↔ vermillion through white).
import { useEffect, useRef, useState } from 'react';
import { showChar } from '../format';

interface Props {
  testId: string;
  /** (T, stride) row-major; unit j of step t is at t·stride + offset + j */
  values: Float32Array;
  T: number;
  units: number;
  stride: number;
  offset: number;
  diverging: boolean;
  chars: string[];
  selected: number;
  onSelect: (unit: number) => void;
}

const BLUE = [0, 114, 178];
const VERM = [213, 94, 0];

export function colourFor(v: number, diverging: boolean): string {
  const mix = (c: number[], a: number) => c.map((x) => Math.round(255 + (x - 255) * a));
  const a = diverging ? Math.min(1, Math.abs(v)) : Math.min(1, Math.max(0, v));
  const [r, g, b] = diverging ? mix(v < 0 ? BLUE : VERM, a) : mix(BLUE, a);
  return `rgb(${r},${g},${b})`;
}

export function Heatmap({
  testId,
  values,
  T,
  units,
  stride,
  offset,
  diverging,
  chars,
  selected,
  onSelect,
}: Props) {
  const ref = useRef<HTMLCanvasElement>(null);
  const [hover, setHover] = useState<{ t: number; j: number } | null>(null);
  const cw = Math.max(6, Math.min(18, Math.floor(720 / T)));
  const ch = Math.max(2, Math.min(10, Math.floor(260 / units)));
  useEffect(() => {
    const ctx = ref.current?.getContext('2d');
    if (!ctx) return;
    ctx.clearRect(0, 0, T * cw, units * ch);
    for (let t = 0; t < T; t++)
      for (let j = 0; j < units; j++) {
        ctx.fillStyle = colourFor(values[t * stride + offset + j]!, diverging);
        ctx.fillRect(t * cw, j * ch, cw, ch);
      }
    ctx.strokeStyle = '#1b2333';
    ctx.lineWidth = 1.5;
    ctx.strokeRect(0.75, selected * ch + 0.75, T * cw - 1.5, Math.max(ch - 1.5, 1));
  }, [values, T, units, stride, offset, diverging, selected, cw, ch]);
  const at = (e: React.MouseEvent<HTMLCanvasElement>) => {
    const r = e.currentTarget.getBoundingClientRect();
    return { t: Math.floor((e.clientX - r.left) / cw), j: Math.floor((e.clientY - r.top) / ch) };
  };
  const v = hover ? values[hover.t * stride + offset + hover.j] : undefined;
  return (
    <div className="heatmap" data-testid={testId}>
      <div
        className="heatmap-chars"
        style={{ gridTemplateColumns: `repeat(${T}, ${cw}px)` }}
        aria-hidden="true"
      >
        {chars.map((c, i) => (
          <span key={i}>{showChar(c)}</span>
        ))}
      </div>
      <canvas
        ref={ref}
        width={T * cw}
        height={units * ch}
        onMouseMove={(e) => setHover(at(e))}
        onMouseLeave={() => setHover(null)}
        onClick={(e) => onSelect(Math.min(units - 1, at(e).j))}
        aria-label={`${units} units over ${T} characters; click a row to select a unit`}
      />
      <div className="heatmap-readout">
        {hover && v !== undefined
          ? `unit ${hover.j} at “${showChar(chars[hover.t] ?? '')}” (t=${hover.t}): ${v.toFixed(3)}`
          : `selected unit ${selected} · hover for values, click a row to select`}
      </div>
    </div>
  );
}
