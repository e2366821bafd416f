// A sequence task's answers (issue 9): accuracy on the validation examples, the first examples with the
// model's prediction (wrong labels, or wrong tags character by character, highlighted) and the confusion
// matrix (rows: the truth, columns: the prediction).
import { useRunStore } from '../../state/runStore';

const pct = (x: number) => `${(100 * x).toFixed(1)} %`;

export function PredictionsPanel() {
  const e = useRunStore((s) => s.taskEval);
  const info = useRunStore((s) => s.run.info?.task);
  if (!info) return null;
  const tag = info.kind === 'tag';
  return (
    <section className="card task-predictions" aria-labelledby="predictions-title">
      <div className="card-head">
        <h2 id="predictions-title">3 · Predictions</h2>
        {e && (
          <span className="muted small" data-testid="task-accuracy">
            step {e.step}: accuracy {pct(e.accuracy)}
            {tag ? ` of characters, ${pct(e.exact)} of whole sequences` : ''} on {info.valExamples} validation
            examples
          </span>
        )}
      </div>
      {!e ? (
        <p className="muted">Press Train: the validation examples are evaluated every few steps.</p>
      ) : (
        <div className="predictions-body">
          <table className="prediction-table" data-testid="prediction-table">
            <thead>
              <tr>
                <th>input</th>
                <th>expected</th>
                <th>predicted</th>
              </tr>
            </thead>
            <tbody>
              {e.predictions.map((p, i) => (
                <tr key={i} className={p.correct ? 'right' : 'wrong'} data-correct={p.correct}>
                  <td className="mono">
                    <bdi>{p.input}</bdi>
                  </td>
                  <td className="mono">{p.target}</td>
                  <td className="mono">
                    {tag
                      ? [...p.predicted].map((c, k) => (
                          <span key={k} className={c === [...p.target][k] ? '' : 'miss'}>
                            {c}
                          </span>
                        ))
                      : p.predicted}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          <table className="confusion" data-testid="confusion-matrix" aria-label="Confusion matrix">
            <thead>
              <tr>
                <th>true \ predicted</th>
                {e.classes.map((c) => (
                  <th key={c} className="mono">
                    {c}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {e.confusion.map((row, i) => (
                <tr key={i}>
                  <th className="mono">{e.classes[i]}</th>
                  {row.map((n, j) => (
                    <td key={j} className={i === j ? 'diag' : n ? 'off' : ''}>
                      {n}
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
