// The notices above the charts: no WebGPU, a failed run, divergence, a recovered device loss, storage that
// could not be written, a changed experiment, and the model restored from the last visit with the choice to
// continue it or start a new one.
import { useGpuStore } from '../../state/gpuStore';
import { restoreActions } from '../../state/restore';
import { useRunStore } from '../../state/runStore';

export function RunMessages() {
  const run = useRunStore((s) => s.run);
  const storageError = useRunStore((s) => s.storageError);
  const gpu = useGpuStore((s) => s.status);
  return (
    <>
      {gpu === 'unavailable' && (
        <div className="notice notice-warn" data-testid="cpu-banner">
          This browser has no WebGPU, so Unroll trains on its CPU reference instead: correct but slow, for
          small models only (details in “Your GPU” below).
        </div>
      )}
      {run.error && (
        <div className="notice notice-bad" role="alert" data-testid="run-error">
          {run.error}
        </div>
      )}
      {run.diverged && (
        <div className="notice notice-warn" role="alert" data-testid="run-diverged">
          {run.diverged}
        </div>
      )}
      {run.notice && (
        <div className="notice notice-warn" role="status" data-testid="run-notice">
          {run.notice}
        </div>
      )}
      {storageError && (
        <div className="notice notice-warn" role="alert" data-testid="storage-error">
          {storageError}
        </div>
      )}
      {run.restored && run.status === 'ready' && (
        <div className="notice notice-info notice-actions" data-testid="run-restored">
          <span>
            Welcome back: your {run.info?.task ? 'examples' : 'corpus'} and the model at step{' '}
            {run.restored.step} (saved {new Date(run.restored.savedAt).toLocaleString()}) are restored.
          </span>
          <span className="notice-buttons">
            <button
              type="button"
              className="primary"
              onClick={restoreActions.keep}
              data-testid="restored-continue"
            >
              Continue this model
            </button>
            <button type="button" onClick={restoreActions.startFresh} data-testid="restored-fresh">
              Start a new model
            </button>
          </span>
        </div>
      )}
      {run.stale && (
        <div className="notice notice-info" data-testid="run-stale">
          The model or corpus changed since this run started: <b>Reset</b> (or Train) builds a new model with
          the new settings.
        </div>
      )}
    </>
  );
}
