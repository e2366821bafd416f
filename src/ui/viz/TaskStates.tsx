// The inside of a task model over the first validation example (issue 9): units × steps heatmaps of the top
// layer's hidden state and its gates — and, for a bidirectional model, of the reverse layer at the same
// positions, which has read the line from its end: where the forward state is still undecided (is there an x
// ahead?) the reverse one knows. Gates show what the textbook describes: a forget gate held near 1 through a
// long input keeps what was read; an update gate z near 1 copies the state across a step. An encoder–decoder
// spans the row: the hidden state and a gate side by side, over source, START and output.
import { useState } from 'react';
import { isEncoderDecoder } from '../../core/tasks';
import { useRunStore } from '../../state/runStore';
import { gateNames } from '../panels/cells';
import { Heatmap } from './Heatmap';
import { TaskNeurons } from './TaskNeurons';
import { taskFeatures } from '../../core/taskFeatures';

/** Sigmoid gates live in (0, 1); h and the candidates (g, n) in (−1, 1). */
const divergingGate = (name: string) => name.startsWith('g') || name.startsWith('n');

export function TaskStates() {
  const st = useRunStore((s) => s.taskEval?.states);
  const cell = useRunStore((s) => s.run.info?.model.cell);
  const kind = useRunStore((s) => s.run.info?.task?.kind);
  const generated = useRunStore((s) => s.task.generated);
  const [unit, setUnit] = useState(0);
  // The single view's choice (-1: the hidden state h; k ≥ 0: gate k), and the wide view's gate.
  const [view, setView] = useState(-1);
  const [gate, setGate] = useState(1);
  const first = st?.lines[0];
  if (!st || !first || first.labels.length === 0 || !kind) return null;
  const names = gateNames(cell).slice(0, st.gates?.length ?? 0);
  const selected = Math.min(unit, st.units - 1);
  const finder = (
    <TaskNeurons st={st} features={taskFeatures(generated, kind)} unit={selected} onSelect={setUnit} />
  );
  const map = (testId: string, values: Float32Array, diverging = true) => (
    <Heatmap
      testId={testId}
      values={values}
      T={first.labels.length}
      units={st.units}
      stride={st.units}
      offset={0}
      diverging={diverging}
      chars={first.labels.map((c) => (c === 'START' ? '▸' : c))}
      selected={selected}
      onSelect={setUnit}
    />
  );
  const select = (value: number, onChange: (v: number) => void, withH: boolean) => (
    <select
      className="compact"
      value={value}
      onChange={(e) => onChange(Number(e.target.value))}
      aria-label={withH ? 'State or gate' : 'Gate'}
      data-testid="task-states-view"
    >
      {withH && <option value={-1}>hidden state h</option>}
      {names.map((g, k) => (
        <option key={k} value={k}>
          gate {g}
        </option>
      ))}
    </select>
  );
  const caption = (what: React.ReactNode, note: string) => (
    <figcaption>
      <b>Inside</b> {what} <span className="muted small">{note}</span>
    </figcaption>
  );

  if (isEncoderDecoder(kind) && names.length) {
    const g = Math.min(gate, names.length - 1);
    return (
      <figure className="chart task-states wide" data-testid="task-states">
        {caption(
          null,
          `first validation example, ${st.units} units: the encoder reads it, the decoder writes after ▸`,
        )}
        <div className="task-states-pair">
          <div>
            <p className="small muted">hidden state h: blue negative, vermillion positive</p>
            {map('task-states-forward', first.forward)}
          </div>
          <div>
            <p className="small muted">
              {select(g, setGate, false)}{' '}
              {divergingGate(names[g]!) ? 'blue negative, vermillion positive' : 'darker is more open'}
            </p>
            {map('task-gates', st.gates[g]!, divergingGate(names[g]!))}
          </div>
        </div>
        {finder}
      </figure>
    );
  }
  const shown = view < names.length ? view : -1;
  const chosen = shown >= 0 ? names[shown]! : null;
  const diverging = !chosen || divergingGate(chosen);
  return (
    <figure className="chart task-states" data-testid="task-states">
      {caption(
        names.length > 0 ? select(shown, setView, true) : <b>hidden state h</b>,
        `first validation example, ${st.units} units${first.reverse && !chosen ? ': forward layer, then reverse layer' : ''}`,
      )}
      <p className="small muted">
        {chosen
          ? `Gate ${chosen} of the top layer${first.reverse ? ' (forward direction)' : ''}: ${diverging ? 'blue negative, vermillion positive' : 'darker is more open'}.`
          : 'Blue negative, vermillion positive; a row is a unit, a column a step.'}
      </p>
      {first.reverse && !chosen && <p className="small muted">forward (read left to right)</p>}
      {chosen ? map('task-gates', st.gates[shown]!, diverging) : map('task-states-forward', first.forward)}
      {first.reverse && !chosen && (
        <>
          <p className="small muted">reverse (read right to left)</p>
          {map('task-states-reverse', first.reverse)}
        </>
      )}
      {finder}
    </figure>
  );
}
