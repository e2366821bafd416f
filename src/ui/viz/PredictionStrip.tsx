// For each character of the probe text, the model's top-5 guesses for the next one (the softmax vector, cut
// to its head), the actual next character highlighted, and the per-position loss as bars underneath.
import type { Inspection } from '../../state/protocolTypes';
import { showChar } from '../format';

const show = showChar;

export function PredictionStrip({
  data,
  chars,
  vocab,
}: {
  data: Inspection;
  chars: string[];
  vocab: string[];
}) {
  const V = vocab.length;
  const cols = chars.map((c, t) => {
    const row = data.logp.subarray(t * V, (t + 1) * V);
    const top = [...row.keys()].sort((a, b) => row[b]! - row[a]!).slice(0, 5);
    const next = t + 1 < chars.length ? vocab.indexOf(chars[t + 1]!) : -1;
    return {
      c,
      top: top.map((k) => ({ ch: vocab[k]!, p: Math.exp(row[k]!), hit: k === next })),
      loss: next >= 0 ? -row[next]! : null,
    };
  });
  const maxLoss = Math.max(1, ...cols.map((c) => c.loss ?? 0));
  return (
    <div className="predictions" data-testid="prediction-strip">
      {cols.map((col, t) => (
        <div
          key={t}
          className="pred-col"
          title={col.loss !== null ? `loss ${col.loss.toFixed(3)} nats` : 'last character'}
        >
          <div className="pred-char">{show(col.c)}</div>
          {col.top.map((g, i) => (
            <div key={i} className={`pred-guess${g.hit ? ' hit' : ''}`}>
              <span className="pred-bar" style={{ width: `${Math.round(g.p * 100)}%` }} />
              <span className="pred-label">{show(g.ch)}</span>
            </div>
          ))}
          <div className="pred-loss">
            {col.loss !== null && <span style={{ height: `${Math.round((col.loss / maxLoss) * 100)}%` }} />}
          </div>
        </div>
      ))}
    </div>
  );
}
