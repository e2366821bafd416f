// A sequence task's answers (issue 9): accuracy on the validation examples, the first examples with the
// model's prediction (wrong labels, or wrong tags and output characters one by one, highlighted) and the
// confusion matrix (rows: the truth, columns: the prediction) or, for attention models, the alignment matrix.
import { isEncoderDecoder } from '../../core/tasks';
import { useDecodeStore } from '../../state/decodeActions';
import { useRunStore, validationEvery } from '../../state/runStore';
import { CompareBox } from './CompareBox';
import { DecodeBox } from './DecodeBox';
import { AttentionMatrix } from '../viz/AttentionMatrix';
import { LengthBars } from '../charts/LengthBars';
import { VAL_SECONDS } from '../../core/config';

const pct = (x: number) => `${(100 * x).toFixed(1)} %`;

export function PredictionsPanel() {
  const e = useRunStore((s) => s.taskEval);
  const info = useRunStore((s) => s.run.info?.task);
  const tried = useDecodeStore((s) => s.result?.alignment);
  const every = useRunStore(validationEvery);
  if (!info) return null;
  const seq = isEncoderDecoder(info.kind);
  const perChar = info.kind === 'tag' || seq;
  return (
    <section className="card task-predictions" aria-labelledby="predictions-title">
      <div className="card-head">
        <h2 id="predictions-title">3 · Predictions</h2>
        {e && (
          <span className="muted small" data-testid="task-accuracy">
            step {e.step}: accuracy {pct(e.accuracy)}
            {perChar
              ? ` of ${seq ? 'output ' : ''}characters, ${pct(e.exact)} of whole sequences`
              : ''} on {info.valExamples} {info.kind === 'generate' ? 'labels' : 'validation examples'}
          </span>
        )}
      </div>
      {!e ? (
        <p className="muted">
          Press Train: the validation examples are evaluated every {every} steps, or after {VAL_SECONDS} s of
          training if that comes first.
        </p>
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
                    {perChar
                      ? [...p.predicted].map((c, k) => (
                          <span key={k} className={c === [...p.target][k] ? '' : 'miss'}>
                            {c}
                          </span>
                        ))
                      : p.predicted}
                    {seq && [...p.predicted].length < [...p.target].length && (
                      <span className="miss" title="The output ended too early">
                        ⏎
                      </span>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          {seq && (
            <div className="decode-side">
              {e.byLength && <LengthBars rows={e.byLength} />}
              {(tried ?? e.alignment) && <AttentionMatrix a={(tried ?? e.alignment)!} />}
              <DecodeBox generate={info.kind === 'generate'} />
            </div>
          )}
          {!seq && (
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
          )}
        </div>
      )}
      {e && <CompareBox />}
    </section>
  );
}
