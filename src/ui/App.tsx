// The playground: corpus and model settings on the left, controls, charts and sampling on the right; GPU
// details and the kernel self-test below. Starts the worker once and applies a shared link's settings.
import { useEffect } from 'react';
import { useGpuStore } from '../state/gpuStore';
import { useRunStore } from '../state/runStore';
import { startWorker } from '../state/workerClient';
import { restoreSession } from '../state/runActions';
import { GradNormChart, LossChart } from './charts/TrainingCharts';
import { CorpusPanel } from './panels/CorpusPanel';
import { GpuStatusPanel } from './panels/GpuStatusPanel';
import { Header } from './panels/Header';
import { InsidePanel } from './panels/InsidePanel';
import { ModelPanel } from './panels/ModelPanel';
import { RacePanel } from './panels/RacePanel';
import { RunBar } from './panels/RunBar';
import { SamplePanel } from './panels/SamplePanel';
import { SelfTestPanel } from './panels/SelfTestPanel';

function RunMessages() {
  const run = useRunStore((s) => s.run);
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
      {run.restored && run.status === 'ready' && (
        <div className="notice notice-info" data-testid="run-restored">
          Restored from your last visit: the corpus and the model at step {run.restored.step} (saved{' '}
          {new Date(run.restored.savedAt).toLocaleString()}).
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

export function App() {
  useEffect(() => {
    startWorker();
    void restoreSession(location.hash);
  }, []);
  return (
    <div className="app">
      <Header />
      <main className="playground">
        <aside className="setup">
          <CorpusPanel />
          <ModelPanel />
        </aside>
        <section className="work">
          <div className="toolbar">
            <RunBar />
          </div>
          <RunMessages />
          <div className="charts">
            <LossChart />
            <GradNormChart />
          </div>
          <SamplePanel />
          <InsidePanel />
          <RacePanel />
        </section>
      </main>
      <section className="diagnostics" aria-label="GPU diagnostics">
        <GpuStatusPanel />
        <SelfTestPanel />
      </section>
      <footer className="footer">
        Every kernel is checked against a float64 reference: |gpu − ref| ≤ atol + rtol·|ref|. Parameters use
        PyTorch’s names and gate order.
      </footer>
    </div>
  );
}
