// The network unrolled over the last characters of the probe text: x_t → cell → h_t → y_t, with the
// recurrent edges carrying h (and c for LSTMs) from step to step. Folded, it is the single cell with its
// loop. After each training snapshot the forward sweep runs left to right, then the backward sweep right to
// left with each recurrent edge's width and colour set by the measured ‖∂L/∂h_t‖ of the last window; the
// truncation boundary marks where BPTT stops. Hovering a state shows its vector.
import { useEffect, useState } from 'react';
import { colourFor } from './Heatmap';
import { showChar } from '../format';
import { ArrowMarker } from './ArrowMarker';

interface Props {
  /** Characters of the probe window shown (8–32). */
  chars: string[];
  /** (K, H) hidden states of the shown characters, top layer. */
  states: Float32Array;
  H: number;
  /** Next-character predictions (top-1) under each step. */
  predicted: string[];
  /** ‖∂L/∂h_t‖ of the last training window's final positions, aligned right with the shown steps. */
  grads: number[];
  lstm: boolean;
  /** The training window (BPTT length T): gradients stop at its start. */
  seqLen: number;
  /** Bumped on every new snapshot: replays the sweeps. */
  version: number;
}

const show = showChar;
const W = 50;

export function UnrolledGraph({ chars, states, H, predicted, grads, lstm, seqLen, version }: Props) {
  const [folded, setFolded] = useState(false);
  const [phase, setPhase] = useState<{ kind: 'forward' | 'backward' | 'idle'; t: number }>({
    kind: 'idle',
    t: 0,
  });
  const [hover, setHover] = useState<number | null>(null);
  const K = chars.length;

  useEffect(() => {
    if (folded || K === 0) return;
    let t = 0;
    setPhase({ kind: 'forward', t: 0 });
    const id = setInterval(() => {
      t++;
      if (t < K) setPhase({ kind: 'forward', t });
      else if (t < 2 * K) setPhase({ kind: 'backward', t: 2 * K - 1 - t });
      else {
        setPhase({ kind: 'idle', t: 0 });
        clearInterval(id);
      }
    }, 70);
    return () => clearInterval(id);
  }, [version, folded, K]);

  const maxG = Math.max(1e-12, ...grads);
  const minG = Math.max(1e-12, Math.min(...grads.filter((g) => g > 0), maxG));
  // Log scale between the smallest and largest gradient of the window: vanishing shows as thinning to the left.
  const scale = (g: number) => (maxG > minG ? Math.log(Math.max(g, minG) / minG) / Math.log(maxG / minG) : 1);
  const width = folded ? 260 : Math.max(300, K * W + 70);
  // The window's labels sit under the input characters, clear of the arrows between them.
  const height = 214;
  const yNote = 206;
  const yX = 170;
  const yCell = 108;
  const yH = 62;
  const yY = 20;
  const active = (t: number) =>
    (phase.kind === 'forward' && t <= phase.t) ||
    (phase.kind === 'backward' && t >= phase.t) ||
    phase.kind === 'idle';

  return (
    <div className="unrolled" data-testid="unrolled-graph">
      <div className="row">
        <label className="switch inline">
          <input
            type="checkbox"
            checked={folded}
            onChange={(e) => setFolded(e.target.checked)}
            data-testid="fold-toggle"
          />
          folded (one cell with its loop)
        </label>
        <span className="muted small">
          {folded
            ? ' '
            : phase.kind === 'forward'
              ? 'forward sweep →'
              : phase.kind === 'backward'
                ? '← backpropagation through time'
                : ' '}
        </span>
      </div>
      <svg
        width={width}
        height={height}
        role="img"
        aria-label={folded ? 'the recurrent cell with its loop' : `the network unrolled over ${K} characters`}
      >
        <defs>
          <ArrowMarker id="arrow" size={8} userSpace />
        </defs>
        {folded ? (
          <g transform="translate(70,0)" className="graph">
            <text x={40} y={yX + 14} textAnchor="middle" className="node-label">
              xₜ
            </text>
            <line x1={40} y1={yX} x2={40} y2={yCell + 18} markerEnd="url(#arrow)" />
            <rect x={12} y={yCell - 18} width={56} height={36} rx={8} className="cell" />
            <text x={40} y={yCell + 5} textAnchor="middle">
              {lstm ? 'LSTM' : 'cell'}
            </text>
            <line x1={40} y1={yCell - 18} x2={40} y2={yH + 10} markerEnd="url(#arrow)" />
            <text x={40} y={yH} textAnchor="middle" className="node-label">
              hₜ
            </text>
            <line x1={40} y1={yH - 12} x2={40} y2={yY + 8} markerEnd="url(#arrow)" />
            <text x={40} y={yY} textAnchor="middle" className="node-label">
              yₜ
            </text>
            <path
              d={`M68,${yCell - 8} C130,${yCell - 40} 130,${yCell + 40} 68,${yCell + 8}`}
              fill="none"
              markerEnd="url(#arrow)"
            />
            <text x={132} y={yCell + 4} className="muted-text">
              {lstm ? 'hₜ₋₁, cₜ₋₁' : 'hₜ₋₁'}
            </text>
          </g>
        ) : (
          <g transform="translate(46,0)" className="graph">
            {K >= seqLen ? (
              <>
                <line
                  x1={(K - seqLen) * W - 6}
                  y1={yCell - 40}
                  x2={(K - seqLen) * W - 6}
                  y2={yNote - 14}
                  className="boundary"
                />
                <text x={(K - seqLen) * W - 4} y={yNote} className="muted-text" textAnchor="middle">
                  BPTT stops
                </text>
              </>
            ) : (
              <text x={-8} y={yNote} className="muted-text">
                ← the window goes on (T = {seqLen})
              </text>
            )}
            {chars.map((c, t) => {
              const x = t * W + 20;
              const g = grads[t] ?? 0;
              const on = active(t);
              // After the sweeps the edges keep their gradient widths; before, only the swept ones have them.
              const back = (phase.kind === 'backward' && t >= phase.t) || phase.kind === 'idle';
              const cut = K - seqLen; // the first step of the training window, when it fits
              return (
                <g key={t} opacity={on ? 1 : 0.35}>
                  <text x={x} y={yX + 14} textAnchor="middle" className="node-label">
                    {show(c)}
                  </text>
                  <line x1={x} y1={yX} x2={x} y2={yCell + 18} markerEnd="url(#arrow)" />
                  <rect
                    x={x - 18}
                    y={yCell - 18}
                    width={36}
                    height={36}
                    rx={7}
                    className={`cell${phase.kind === 'forward' && t === phase.t ? ' firing' : ''}`}
                  />
                  <line x1={x} y1={yCell - 18} x2={x} y2={yH + 9} markerEnd="url(#arrow)" />
                  <circle
                    cx={x}
                    cy={yH}
                    r={8}
                    fill={colourFor(states[t * H] ?? 0, true)}
                    className="state-node"
                    onMouseEnter={() => setHover(t)}
                    onMouseLeave={() => setHover(null)}
                  />
                  <line x1={x} y1={yH - 9} x2={x} y2={yY + 8} markerEnd="url(#arrow)" />
                  <text x={x} y={yY} textAnchor="middle" className="node-label">
                    {show(predicted[t] ?? '')}
                  </text>
                  {t > 0 && t !== cut && (
                    <line
                      x1={x - W + 18}
                      y1={yCell}
                      x2={x - 19}
                      y2={yCell}
                      markerEnd="url(#arrow)"
                      className="recurrent"
                      // Inline style: it must win over the stylesheet's stroke for ordinary edges.
                      style={
                        back
                          ? {
                              strokeWidth: 1 + 5 * scale(g),
                              stroke: colourFor(0.25 + 0.75 * scale(g), false),
                            }
                          : undefined
                      }
                    />
                  )}
                </g>
              );
            })}
          </g>
        )}
      </svg>
      <div className="heatmap-readout">
        {hover !== null ? (
          <span className="vector">
            h at “{show(chars[hover]!)}”:{' '}
            {Array.from(states.subarray(hover * H, (hover + 1) * H)).map((v, j) => (
              <i key={j} style={{ background: colourFor(v, true) }} title={v.toFixed(3)} />
            ))}
          </span>
        ) : (
          'Bottom: input characters; middle: the cell at each step and its hidden state; top: the most likely next character. Hover a state for its vector.'
        )}
      </div>
    </div>
  );
}
