// "Kernel self-test": runs every registered kernel on this GPU against its float64 reference, in the
// worker, and lists each case with its error as it completes.
import { useGpuStore } from '../../state/gpuStore';
import { gpuActions } from '../../state/workerClient';
import { formatError } from '../format';

export function SelfTestPanel() {
  const status = useGpuStore((s) => s.status);
  const { running, results, total, summary } = useGpuStore((s) => s.selfTest);
  const done = results.length;
  return (
    <section className="card" aria-labelledby="selftest-title" data-testid="selftest-panel">
      <div className="card-head">
        <h2 id="selftest-title">Kernel self-test</h2>
        <button
          type="button"
          className="primary"
          onClick={gpuActions.runSelfTest}
          disabled={status !== 'ready' || running}
          data-testid="selftest-run"
        >
          {running ? 'Running…' : summary ? 'Run again' : 'Run self-test'}
        </button>
      </div>
      <p className="muted">
        Runs each WGSL kernel on your GPU on small odd-shaped inputs and compares the result with a float64
        reference. A failure means this GPU or driver computes something wrong.
      </p>
      {running && total > 0 && (
        <progress max={total} value={done} aria-label="self-test progress">
          {done}/{total}
        </progress>
      )}
      {summary && (
        <p
          className={`summary ${summary.failed === 0 ? 'summary-pass' : 'summary-fail'}`}
          data-testid="selftest-summary"
          role="status"
        >
          {summary.failed === 0
            ? `All ${summary.passed} checks passed`
            : `${summary.failed} of ${summary.passed + summary.failed} checks failed`}{' '}
          <span className="muted">in {(summary.ms / 1000).toFixed(1)} s</span>
          {summary.skipped > 0 && (
            <span className="muted small" data-testid="selftest-skipped">
              {' '}
              · {summary.skipped} hardware-GPU paths left out (tile shapes only the tuner picks, the layer
              wavefront): a software adapter is never tuned and never takes them
            </span>
          )}
        </p>
      )}
      {results.length > 0 && (
        <table className="results" data-testid="selftest-results">
          <thead>
            <tr>
              <th scope="col">Kernel</th>
              <th scope="col">Case</th>
              <th scope="col" className="num">
                max |err|
              </th>
              <th scope="col" className="num" title="largest error divided by the allowed error; ≤ 1 passes">
                err / allowed
              </th>
              <th scope="col">Result</th>
            </tr>
          </thead>
          <tbody>
            {results.map((r, i) => (
              <tr key={i} title={r.message} data-ok={r.ok}>
                <td className="mono">{r.kernel}</td>
                <td className="mono">{r.case}</td>
                <td className="num mono">{formatError(r.maxAbsError)}</td>
                <td className="num mono">{Number.isFinite(r.worstRatio) ? r.worstRatio.toFixed(3) : '∞'}</td>
                <td>
                  {r.ok ? (
                    <span className="tag tag-good">pass</span>
                  ) : (
                    <span className="tag tag-bad">fail</span>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
