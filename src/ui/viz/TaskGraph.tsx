// The network unrolled over the first validation example of a task run (issue 9), drawn from what the
// evaluation reports: one box per cell step, inputs below, predictions above. Classify and tag show one layer
// left to right — and, when bidirectional, a second reading right to left with both feeding the head;
// seq2seq and generate show the encoder handing its final state to the decoder, which reads START and its own
// previous outputs; with attention, lines from each decoder step to the encoder states it weighed (darker =
// more weight). Long examples are cut to 14 steps: a classifier's last ones, the others' first.
import { useEffect, useRef } from 'react';
import { isEncoderDecoder } from '../../core/tasks';
import { useRunStore } from '../../state/runStore';
import { showChar } from '../format';
import { ArrowMarker } from './ArrowMarker';

const W = 46;
const BOX = 30;
const MAX = 14;

const label = (c: string) => (c === 'END' ? '⏎' : showChar(c));

export function TaskGraph() {
  const e = useRunStore((s) => s.taskEval);
  const info = useRunStore((s) => s.run.info);
  const kind = info?.task?.kind;
  const ex = e?.predictions[0];
  // A classifier's label comes out of the last step: keep that end in view when the graph scrolls.
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (kind === 'classify' && ref.current) ref.current.scrollLeft = ref.current.scrollWidth;
  });
  if (!kind || !info || !ex) return null;
  const model = info.model;
  const seq = isEncoderDecoder(kind);
  const all = kind === 'generate' ? [ex.input] : [...ex.input];
  // Long examples: a classifier shows its last steps (where the label is read), the others their first.
  const fromEnd = kind === 'classify' && all.length > MAX;
  const inputs = fromEnd ? all.slice(-MAX) : all.slice(0, MAX);
  const outputs = [...[...ex.predicted].slice(0, MAX), 'END'];
  const bi = !!model.bidirectional;
  const enc = inputs.length;
  const dec = seq ? outputs.length : 0;
  const cols = enc + dec;
  const width = 40 + cols * W + (seq ? 20 : 0);
  const rowY = bi ? [120, 170] : [140];
  const height = (bi ? 250 : 220) + (seq && model.attention ? 10 : 0);
  const x = (i: number) => 30 + i * W + (seq && i >= enc ? 20 : 0);
  const cell = (i: number, y: number, cls: string, key: string, text?: string) => (
    <g key={key}>
      <rect x={x(i)} y={y} width={BOX} height={BOX} rx={6} className={cls} />
      {text && (
        <text x={x(i) + BOX / 2} y={y + BOX / 2 + 4} textAnchor="middle" className="graph-small">
          {text}
        </text>
      )}
    </g>
  );
  const arrow = (x1: number, y1: number, x2: number, y2: number, key: string, cls = 'graph-edge') => (
    <line key={key} x1={x1} y1={y1} x2={x2} y2={y2} className={cls} markerEnd="url(#tg-arrow)" />
  );
  const outAt = (i: number): string | null =>
    seq
      ? i >= enc
        ? outputs[i - enc]!
        : null
      : kind === 'tag'
        ? ([...ex.predicted][i] ?? null)
        : i === enc - 1
          ? ex.predicted
          : null;
  const inAt = (i: number): string => (i < enc ? inputs[i]! : i === enc ? 'START' : outputs[i - enc - 1]!);
  const a = e.alignment;
  const aligned = a && a.input.join('') === inputs.join('') ? a : null;
  const y0 = rowY[0]!;
  return (
    <figure className={seq ? 'chart task-graph wide' : 'chart task-graph'} data-testid="task-graph">
      <figcaption>
        <b>Unrolled</b>{' '}
        <span className="muted small">
          {seq
            ? `encoder (${enc} step${enc === 1 ? '' : 's'}) → decoder${model.attention ? ' with attention' : ''}`
            : bi
              ? 'forward and reverse layers, both read by the head'
              : kind === 'classify'
                ? 'one label from the last step'
                : 'a tag from every step'}
          {' · '}first validation example{fromEnd ? `, its last ${MAX} of ${all.length} characters` : ''}
        </span>
      </figcaption>
      <div className="task-graph-scroll" ref={ref}>
        {/* An encoder–decoder spans the row and shrinks to fit it, so the whole decoder stays in view; the
            others scroll (a classifier to its last step). */}
        <svg
          {...(seq
            ? { viewBox: `0 0 ${width} ${height}`, style: { width: '100%', maxWidth: width, height: 'auto' } }
            : { width, height })}
          role="img"
          aria-label="The network unrolled over one example"
        >
          <defs>
            <ArrowMarker id="tg-arrow" size={6} className="graph-arrowhead" />
          </defs>
          {seq && (
            <>
              <text x={x(0)} y={height - 6} className="graph-small muted-fill">
                encoder
              </text>
              <text x={x(enc)} y={height - 6} className="graph-small muted-fill">
                decoder
              </text>
            </>
          )}
          {aligned &&
            aligned.weights.map((row, k) =>
              row.map((w, i) =>
                enc + k < cols && w > 0.02 ? (
                  <path
                    key={`att${k}:${i}`}
                    d={`M${x(enc + k) + BOX / 2},${y0} C${x(enc + k) + BOX / 2},${y0 - 60} ${x(i) + BOX / 2},${y0 - 60} ${x(i) + BOX / 2},${y0}`}
                    className="graph-attention"
                    strokeOpacity={Math.min(1, w)}
                    data-weight={w.toFixed(3)}
                  />
                ) : null,
              ),
            )}
          {Array.from({ length: cols }, (_, i) => {
            const out = outAt(i);
            const parts = [
              <text
                key={`in${i}`}
                x={x(i) + BOX / 2}
                y={height - 26}
                textAnchor="middle"
                className="mono graph-char"
              >
                {label(inAt(i))}
              </text>,
              arrow(x(i) + BOX / 2, height - 40, x(i) + BOX / 2, rowY[rowY.length - 1]! + BOX + 2, `up${i}`),
            ];
            rowY.forEach((y, r) => {
              parts.push(
                cell(
                  i,
                  y,
                  seq && i >= enc ? 'graph-cell decoder' : r === 1 ? 'graph-cell reverse' : 'graph-cell',
                  `c${r}:${i}`,
                ),
              );
              if (i + 1 < cols) {
                const handoff = seq && i === enc - 1;
                parts.push(
                  r === 1
                    ? arrow(x(i + 1) - 2, y + BOX / 2, x(i) + BOX + 2, y + BOX / 2, `h${r}:${i}`)
                    : arrow(
                        x(i) + BOX + 2,
                        y + BOX / 2,
                        x(i + 1) - 2,
                        y + BOX / 2,
                        `h${r}:${i}`,
                        handoff ? 'graph-edge handoff' : 'graph-edge',
                      ),
                );
              }
            });
            if (out !== null) {
              parts.push(
                arrow(x(i) + BOX / 2, y0 - 2, x(i) + BOX / 2, 46, `o${i}`),
                <text
                  key={`out${i}`}
                  x={x(i) + BOX / 2}
                  y={34}
                  textAnchor="middle"
                  className="mono graph-char out"
                >
                  {out.length > 4 ? `${out.slice(0, 4)}…` : label(out)}
                </text>,
              );
            }
            return <g key={i}>{parts}</g>;
          })}
        </svg>
      </div>
    </figure>
  );
}
