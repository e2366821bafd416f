// The side-by-side run of a task: the same model with attention (encoder–decoder) or the reverse layer
// (classify, tag) switched the other way, trained on the same data for as many steps, evaluated the same way.
import { type TaskSwitch, isEncoderDecoder, taskSwitch } from '../../core/tasks';
import { TASK_SWITCHES } from './taskSwitches';
import { compareActions, useCompareStore } from '../../state/compareActions';
import type { ModelConfig } from '../../core/config';
import { useRunStore } from '../../state/runStore';
import { LengthBars } from '../charts/LengthBars';

const pct = (x: number) => `${(100 * x).toFixed(1)} %`;

/** "with attention", "forward only", …: how a model stands on its task's switch. */
function describe(m: ModelConfig, sw: TaskSwitch): string {
  return m[sw] ? TASK_SWITCHES[sw].on : TASK_SWITCHES[sw].off;
}

export function CompareBox() {
  const info = useRunStore((s) => s.run.info);
  const e = useRunStore((s) => s.taskEval);
  const { running, step, steps, result, error } = useCompareStore();
  const kind = info?.task?.kind;
  if (!info || !kind || !e) return null;
  const seq = isEncoderDecoder(kind);
  const sw = taskSwitch(kind);
  const mine = describe(info.model, sw);
  const other = describe({ ...info.model, [sw]: !info.model[sw] }, sw);
  const perChar = kind !== 'classify';
  const rows = result
    ? [
        { who: `this run, ${mine}`, ev: e },
        { who: `other run, ${describe(result.model, sw)}`, ev: result.evaluation },
      ]
    : [];
  return (
    <div className="compare-box">
      <div className="row">
        <button
          type="button"
          data-testid="compare-button"
          disabled={running}
          onClick={() => compareActions.run()}
        >
          {running
            ? `Training the other model… step ${step} / ${steps}`
            : `Compare: the same model ${other}, ${e.step} steps`}
        </button>
        <span className="muted small">same data, seed and settings; trained here, side by side</span>
      </div>
      {error && (
        <p className="error" role="alert" data-testid="compare-error">
          {error}
        </p>
      )}
      {result && (
        <div className="compare-result" data-testid="compare-result">
          <table className="prediction-table">
            <thead>
              <tr>
                <th>model</th>
                <th>step</th>
                <th>{perChar ? 'characters right' : 'accuracy'}</th>
                {perChar && <th>whole sequences</th>}
              </tr>
            </thead>
            <tbody>
              {rows.map((r) => (
                <tr key={r.who}>
                  <td>{r.who}</td>
                  <td className="mono">{r.ev.step}</td>
                  <td className="mono">{pct(r.ev.accuracy)}</td>
                  {perChar && <td className="mono">{pct(r.ev.exact)}</td>}
                </tr>
              ))}
            </tbody>
          </table>
          {seq && (
            <div className="compare-lengths">
              {rows.map((r) =>
                r.ev.byLength && r.ev.byLength.length > 1 ? (
                  <div key={r.who}>
                    <p className="muted small">{r.who}</p>
                    <LengthBars rows={r.ev.byLength} />
                  </div>
                ) : null,
              )}
            </div>
          )}
        </div>
      )}
    </div>
  );
}
