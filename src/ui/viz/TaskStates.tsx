// The hidden states of a task model over the first validation example (issue 9): units × steps heatmaps of the
// top layer — and, for a bidirectional model, of the reverse layer at the same positions, which has read the
// line from its end: where the forward state is still undecided (is there an x ahead?) the reverse one knows.
import { useState } from 'react';
import { useRunStore } from '../../state/runStore';
import { Heatmap } from './Heatmap';

export function TaskStates() {
  const st = useRunStore((s) => s.taskEval?.states);
  const [unit, setUnit] = useState(0);
  if (!st || st.labels.length === 0) return null;
  const T = st.labels.length;
  const selected = Math.min(unit, st.units - 1);
  const map = (testId: string, values: Float32Array) => (
    <Heatmap
      testId={testId}
      values={values}
      T={T}
      units={st.units}
      stride={st.units}
      offset={0}
      diverging
      chars={st.labels.map((c) => (c === 'START' ? '▸' : c))}
      selected={selected}
      onSelect={setUnit}
    />
  );
  return (
    <figure className="chart task-states" data-testid="task-states">
      <figcaption>
        <b>Hidden states</b>{' '}
        <span className="muted small">
          first validation example, {st.units} units{st.reverse ? ': forward layer, then reverse layer' : ''}
        </span>
      </figcaption>
      {st.reverse && <p className="small muted">forward (read left to right)</p>}
      {map('task-states-forward', st.forward)}
      {st.reverse && (
        <>
          <p className="small muted">reverse (read right to left)</p>
          {map('task-states-reverse', st.reverse)}
        </>
      )}
    </figure>
  );
}
