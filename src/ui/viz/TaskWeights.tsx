// The weights of a task model (issue 9's runs had none of the LM's weight views): one recurrent layer's W_hh
// and W_ih, a gate at a time, and every weight matrix's norm over training — an encoder–decoder's encoder and
// decoder layers, a bidirectional model's reverse layer among them. Closed, it costs nothing; open, it reads
// the parameters back after each evaluation (state/taskWeights.ts).
import { useRunStore } from '../../state/runStore';
import { taskWeightsActions, useTaskWeights } from '../../state/taskWeights';
import { gateNames } from '../panels/cells';
import { WeightsView } from './WeightsView';

export function TaskWeights() {
  const info = useRunStore((s) => s.run.info);
  const st = useTaskWeights();
  if (!info?.task) return null;
  const names = gateNames(info.model.cell);
  const w = st.weights;
  const H = info.model.hiddenSize;
  return (
    <figure className="chart task-weights" data-testid="task-weights">
      <figcaption>
        <b>Weights</b>{' '}
        <label className="small">
          <input
            type="checkbox"
            checked={st.open}
            onChange={(e) => taskWeightsActions.setOpen(e.target.checked)}
            data-testid="task-weights-toggle"
          />{' '}
          show
        </label>{' '}
        <span className="muted small">
          {st.open
            ? w
              ? `at step ${st.step}, read after each evaluation · blue negative, vermillion positive, scaled to the largest`
              : 'reading the parameters…'
            : 'W_hh and W_ih of a layer, a gate at a time, and the norms over training (reads every parameter back after each evaluation while shown)'}
        </span>
      </figcaption>
      {st.open && st.error && <p className="error small">{st.error}</p>}
      {st.open && w && (
        <>
          <div className="row">
            {w.layers.length > 1 && (
              <select
                className="compact"
                value={st.layer}
                onChange={(e) => taskWeightsActions.select({ layer: Number(e.target.value) })}
                aria-label="Layer"
                data-testid="task-weights-layer"
              >
                {w.layers.map((label, l) => (
                  <option key={l} value={l}>
                    {label}
                  </option>
                ))}
              </select>
            )}
            {names.length > 1 && (
              <select
                className="compact"
                value={Math.min(st.gate, names.length - 1)}
                onChange={(e) => taskWeightsActions.select({ gate: Number(e.target.value) })}
                aria-label="Gate"
                data-testid="task-weights-gate"
              >
                {names.map((g, k) => (
                  <option key={k} value={k}>
                    gate {g}
                  </option>
                ))}
              </select>
            )}
          </div>
          <WeightsView w={w} H={H} gates={names} gate={st.gate} history={st.norms} />
        </>
      )}
    </figure>
  );
}
