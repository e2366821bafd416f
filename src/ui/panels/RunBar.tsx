// Run controls and status: Train/Pause, Step, Reset (space, s, r), the step, epoch, latest losses and speed,
// a help popover with the shortcuts, and "copy link" for the experiment in the URL.
import { useEffect, useRef, useState } from 'react';
import { live } from '../../state/live';
import { needsSetup, runActions } from '../../state/runActions';
import { useRunStore, validationEvery } from '../../state/runStore';
import { useEstimate } from '../hooks/useEstimate';
import { useLive } from '../hooks/useLive';
import { VAL_SECONDS } from '../../core/config';

const readLive = () => {
  const p = live.last();
  const v = live.val[live.val.length - 1];
  const a = live.task[live.task.length - 1];
  return {
    step: p?.step ?? 0,
    epoch: p?.epoch ?? 0,
    loss: p?.loss,
    val: v?.nats ?? a?.loss,
    acc: a?.accuracy,
  };
};

export function RunBar() {
  const run = useRunStore((s) => s.run);
  const backend = useRunStore((s) => s.backend);
  const valEvery = useRunStore(validationEvery);
  const liveStatus = useLive(readLive);
  // Before the first step of a loaded model, show where it stands.
  const status = liveStatus.step ? liveStatus : { ...liveStatus, step: run.info?.step ?? 0 };
  const [help, setHelp] = useState(false);
  const [copied, setCopied] = useState(false);
  const training = run.state === 'training';
  // A new run would be built (none yet, a failed one, or settings changed): refuse while the settings have
  // problems, saying which, instead of failing after the click.
  const problems = useEstimate().problems;
  const blocked = !training && problems.length > 0 && needsSetup(run);
  // The shortcuts obey the same rule as the buttons (the listener is registered once, so it reads a ref).
  const blockedRef = useRef(blocked);
  blockedRef.current = blocked;

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const t = e.target as HTMLElement;
      if (t.closest('input, textarea, select, [contenteditable]') || e.ctrlKey || e.metaKey || e.altKey)
        return;
      if (e.key === ' ') {
        e.preventDefault();
        if (!blockedRef.current) runActions.toggle();
      } else if (e.key === 's' && !blockedRef.current) runActions.step();
      else if (e.key === 'r') runActions.reset();
      else if (e.key === '?') setHelp((h) => !h);
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

  const copyLink = async () => {
    await navigator.clipboard?.writeText(location.href).catch(() => undefined);
    setCopied(true);
    setTimeout(() => setCopied(false), 1500);
  };

  return (
    <div className="runbar" role="toolbar" aria-label="Training controls">
      <button
        type="button"
        className={`primary${training ? ' active' : ''}`}
        data-testid="train-toggle"
        onClick={runActions.toggle}
        disabled={run.status === 'starting' || blocked}
        title={blocked ? `Fix the settings first: ${problems.join(' ')}` : 'Train or pause (space)'}
      >
        {training ? '❚❚ Pause' : '▶ Train'}
      </button>
      <button
        type="button"
        data-testid="step-button"
        onClick={runActions.step}
        disabled={training || run.status === 'starting' || blocked}
        title="One iteration (s)"
      >
        Step
      </button>
      <button
        type="button"
        data-testid="reset-button"
        onClick={runActions.reset}
        title="Rebuild the model from the settings (r)"
      >
        Reset
      </button>
      {blocked && (
        <span
          className="error small run-note"
          data-testid="run-blocked"
          role="status"
          title={problems.join(' ')}
        >
          Fix the settings to train: {problems[0]}
        </span>
      )}
      {run.status === 'starting' && (
        <span className="muted small run-note" data-testid="run-starting" role="status">
          {run.tuning
            ? 'Timing the recurrent kernel shapes on this GPU (once per model shape)…'
            : 'Building the model…'}
        </span>
      )}
      <dl className="status">
        <div>
          <dt>step</dt>
          <dd data-testid="status-step">{status.step}</dd>
        </div>
        <div>
          <dt>epoch</dt>
          <dd>{status.epoch}</dd>
        </div>
        <div>
          <dt>loss</dt>
          <dd data-testid="status-loss">{status.loss !== undefined ? status.loss.toFixed(3) : '—'}</dd>
        </div>
        <div
          title={`Validation loss: a pass over the held-out text every ${valEvery} steps, or after ${VAL_SECONDS} s of training if that comes first`}
        >
          <dt>val</dt>
          <dd data-testid="status-val">{status.val !== undefined ? status.val.toFixed(3) : '—'}</dd>
        </div>
        {status.acc !== undefined && (
          <div title="Validation accuracy of the task">
            <dt>accuracy</dt>
            <dd data-testid="status-accuracy">{(100 * status.acc).toFixed(1)} %</dd>
          </div>
        )}
        <div>
          <dt>chars/s</dt>
          <dd>{run.speed ? Math.round(run.speed.charsPerSec).toLocaleString('en-US') : '—'}</dd>
        </div>
        <div
          title={
            run.speed?.gpuMsPerStep !== undefined
              ? 'GPU time per step from timestamp queries'
              : 'Wall time per step'
          }
        >
          <dt>{run.speed?.gpuMsPerStep !== undefined ? 'GPU ms/step' : 'ms/step'}</dt>
          <dd>{run.speed ? (run.speed.gpuMsPerStep ?? run.speed.msPerStep).toFixed(1) : '—'}</dd>
        </div>
      </dl>
      {(run.info?.backend ?? backend) === 'cpu' && (
        <span
          className="badge badge-cpu"
          data-testid="backend-badge"
          title="The float64 reference on the CPU: correct but slow"
        >
          CPU
        </span>
      )}
      <span className="spacer" />
      <button
        type="button"
        className="small"
        onClick={copyLink}
        data-testid="copy-link"
        title="Copy a link to this experiment (settings and seed)"
      >
        {copied ? 'Copied' : 'Copy link'}
      </button>
      <div className="popover-anchor">
        <button
          type="button"
          className="icon"
          aria-expanded={help}
          aria-label="Keyboard shortcuts"
          onClick={() => setHelp(!help)}
        >
          ?
        </button>
        {help && (
          <div className="popover" role="dialog" aria-label="Keyboard shortcuts">
            <div>
              <kbd>space</kbd> train / pause
            </div>
            <div>
              <kbd>s</kbd> one step
            </div>
            <div>
              <kbd>r</kbd> reset the model
            </div>
            <div>
              <kbd>?</kbd> this help
            </div>
          </div>
        )}
      </div>
    </div>
  );
}
