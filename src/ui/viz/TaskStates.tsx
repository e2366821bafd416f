// The inside of a task model over the first validation example (issue 9): units × steps heatmaps of the top
// layer's hidden state or one of its gates — and, for a bidirectional model, of the reverse layer at the
// same positions, which has read the line from its end: where the forward state is still undecided (is there
// an x ahead?) the reverse one knows. Gates show what the textbook describes: a forget gate held near 1
// through a long input keeps what was read; an update gate z near 1 copies the state across a step.
import { useState } from 'react';
import { useRunStore } from '../../state/runStore';
import { gateNames } from '../panels/cells';
import { Heatmap } from './Heatmap';

export function TaskStates() {
  const st = useRunStore((s) => s.taskEval?.states);
  const cell = useRunStore((s) => s.run.info?.model.cell);
  const [unit, setUnit] = useState(0);
  // -1: the hidden state h; k ≥ 0: gate k.
  const [view, setView] = useState(-1);
  if (!st || st.labels.length === 0) return null;
  const T = st.labels.length;
  const selected = Math.min(unit, st.units - 1);
  const names = gateNames(cell).slice(0, st.gates?.length ?? 0);
  const shown = view < names.length ? view : -1;
  const gate = shown >= 0 ? names[shown]! : null;
  // Sigmoid gates live in (0, 1); h and the candidates (g, n) in (−1, 1).
  const diverging = !gate || gate.startsWith('g') || gate.startsWith('n');
  const map = (testId: string, values: Float32Array, div = true) => (
    <Heatmap
      testId={testId}
      values={values}
      T={T}
      units={st.units}
      stride={st.units}
      offset={0}
      diverging={div}
      chars={st.labels.map((c) => (c === 'START' ? '▸' : c))}
      selected={selected}
      onSelect={setUnit}
    />
  );
  return (
    <figure className="chart task-states" data-testid="task-states">
      <figcaption>
        <b>Inside</b>{' '}
        {names.length > 0 ? (
          <select
            className="compact"
            value={shown}
            onChange={(e) => setView(Number(e.target.value))}
            aria-label="State or gate"
            data-testid="task-states-view"
          >
            <option value={-1}>hidden state h</option>
            {names.map((g, k) => (
              <option key={k} value={k}>
                gate {g}
              </option>
            ))}
          </select>
        ) : (
          <b>hidden state h</b>
        )}{' '}
        <span className="muted small">
          first validation example, {st.units} units
          {st.reverse && !gate ? ': forward layer, then reverse layer' : ''}
        </span>
      </figcaption>
      <p className="small muted task-states-note">
        {gate
          ? `Gate ${gate} of the top layer${st.reverse ? ' (forward direction)' : ''}: ${diverging ? 'blue negative, vermillion positive' : 'darker is more open'}.`
          : 'Blue negative, vermillion positive; a row is a unit, a column a step.'}
      </p>
      {st.reverse && !gate && <p className="small muted">forward (read left to right)</p>}
      {gate ? map('task-gates', st.gates[shown]!, diverging) : map('task-states-forward', st.forward)}
      {st.reverse && !gate && (
        <>
          <p className="small muted">reverse (read right to left)</p>
          {map('task-states-reverse', st.reverse)}
        </>
      )}
    </figure>
  );
}
