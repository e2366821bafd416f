// The alignment matrix of an attention model (issue 9): output step × input position, each cell the weight
// the decoder gave that encoder state while writing that character (rows sum to 1). Reversal shows as the
// anti-diagonal, a cipher as the diagonal; a blur means the decoder has not learned where to look yet.
import { useState } from 'react';
import type { Alignment } from '../../state/runStore';
import { showChar } from '../format';
import { colourFor } from './Heatmap';

const CELL = 28;

export function AttentionMatrix({ a }: { a: Alignment }) {
  const [hover, setHover] = useState<{ k: number; i: number } | null>(null);
  const cols = a.input.length;
  const rows = a.output.length;
  const left = 44;
  const top = 28;
  const w = left + cols * CELL + 4;
  const h = top + rows * CELL + 4;
  const label = (s: string) => (s === 'END' ? '⏎' : showChar(s));
  return (
    <figure className="attention" data-testid="attention-matrix">
      <figcaption>
        Where the decoder looked while writing{' '}
        <bdi className="mono">{a.output.filter((c) => c !== 'END').join('')}</bdi> for{' '}
        <bdi className="mono">{a.input.join('')}</bdi>
        {hover ? (
          <span className="muted small" data-testid="attention-readout">
            {' '}
            · output {label(a.output[hover.k]!)} ← input {label(a.input[hover.i]!)}:{' '}
            {(100 * a.weights[hover.k]![hover.i]!).toFixed(1)} %
          </span>
        ) : null}
      </figcaption>
      <svg width={w} height={h} role="img" aria-label="Attention weights: output step by input position">
        {a.input.map((c, i) => (
          <text key={`c${i}`} x={left + i * CELL + CELL / 2} y={top - 8} textAnchor="middle" className="mono">
            {label(c)}
          </text>
        ))}
        {a.output.map((c, k) => (
          <text
            key={`r${k}`}
            x={left - 8}
            y={top + k * CELL + CELL / 2 + 4}
            textAnchor="end"
            className="mono"
          >
            {label(c)}
          </text>
        ))}
        {a.weights.map((row, k) =>
          row.map((v, i) => (
            <rect
              key={`${k}:${i}`}
              x={left + i * CELL}
              y={top + k * CELL}
              width={CELL - 1}
              height={CELL - 1}
              fill={colourFor(v, false)}
              onMouseEnter={() => setHover({ k, i })}
              onMouseLeave={() => setHover(null)}
            />
          )),
        )}
      </svg>
      <p className="hint">
        Rows: what the decoder wrote (⏎ = end); columns: the input. Darker = more weight.
      </p>
    </figure>
  );
}
