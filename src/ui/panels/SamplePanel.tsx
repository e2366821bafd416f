// Sampling: prime text, temperature, top-k, top-p, beam width and length; the output streams in as the GPU
// generates it; "every N steps" keeps a dated list so improvements are visible as training goes on.
import { runActions } from '../../state/runActions';
import { useRunStore } from '../../state/runStore';

export function SamplePanel() {
  const { settings: s, running, current, history, error } = useRunStore((st) => st.sampling);
  const ready = useRunStore((st) => st.run.status === 'ready');
  const num = (v: string) => Number(v);
  return (
    <section className="card sample" aria-labelledby="sample-title">
      <h2 id="sample-title">3 · Sample</h2>
      <label className="field wide">
        <span>Prime text</span>
        <input
          type="text"
          value={s.prime}
          data-testid="sample-prime"
          onChange={(e) => runActions.setSampling({ prime: e.target.value })}
        />
      </label>
      <div className="fields">
        <label className="field">
          <span>
            Temperature <b className="mono">{s.temperature === 0 ? 'greedy' : s.temperature.toFixed(2)}</b>
          </span>
          <input
            type="range"
            min={0}
            max={2}
            step={0.05}
            value={s.temperature}
            onChange={(e) => runActions.setSampling({ temperature: num(e.target.value) })}
          />
        </label>
        <label className="field">
          <span>Length</span>
          <input
            type="number"
            min={1}
            max={5000}
            value={s.length}
            onChange={(e) =>
              runActions.setSampling({ length: Math.max(1, Math.min(5000, num(e.target.value) || 1)) })
            }
          />
        </label>
        <label className="field" title="Keep only the k most likely characters (0: all)">
          <span>Top-k</span>
          <input
            type="number"
            min={0}
            max={1000}
            value={s.topK}
            onChange={(e) =>
              runActions.setSampling({ topK: Math.max(0, Math.floor(num(e.target.value) || 0)) })
            }
          />
        </label>
        <label
          className="field"
          title="Nucleus: the smallest set of characters holding this much probability (1: all)"
        >
          <span>Top-p</span>
          <input
            type="number"
            min={0.05}
            max={1}
            step={0.05}
            value={s.topP}
            onChange={(e) =>
              runActions.setSampling({ topP: Math.max(0.05, Math.min(1, num(e.target.value) || 1)) })
            }
          />
        </label>
        <label
          className="field"
          title="Beam search keeps this many candidates and shows them all (0: sample)"
        >
          <span>Beam width</span>
          <input
            type="number"
            min={0}
            max={16}
            value={s.beam}
            onChange={(e) =>
              runActions.setSampling({
                beam: Math.max(0, Math.min(16, Math.floor(num(e.target.value) || 0))),
              })
            }
          />
        </label>
        <label className="field" title="Sample automatically every N training steps (0: off)">
          <span>Every N steps</span>
          <input
            type="number"
            min={0}
            max={100000}
            step={50}
            value={s.every}
            onChange={(e) =>
              runActions.setSampling({ every: Math.max(0, Math.floor(num(e.target.value) || 0)) })
            }
          />
        </label>
      </div>
      <button
        type="button"
        className="primary"
        data-testid="sample-button"
        disabled={!ready || running}
        onClick={runActions.sample}
      >
        {running ? 'Sampling…' : s.beam > 0 ? `Beam search (${s.beam})` : 'Sample'}
      </button>
      {!ready && <p className="hint">Train (or step) once to sample from the model.</p>}
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      <pre className="sample-out" data-testid="sample-output" aria-live="polite">
        {current ? (
          <>
            <span className="prime">{s.prime}</span>
            {current}
          </>
        ) : (
          ''
        )}
      </pre>
      {history[0]?.beams && (
        <ol className="beams">
          {history[0].beams.map((b, i) => (
            <li key={i}>
              <span className="mono">{b.score.toFixed(3)}</span> nats/char ·{' '}
              <span className="prime">{s.prime}</span>
              {b.text}
            </li>
          ))}
        </ol>
      )}
      {history.length > 1 && (
        <details className="history">
          <summary>Earlier samples ({history.length - 1})</summary>
          {history.slice(1).map((h, i) => (
            <div key={i} className="history-item">
              <span className="muted">
                step {h.step} · {h.at}
              </span>
              <pre>{h.text}</pre>
            </div>
          ))}
        </details>
      )}
    </section>
  );
}
