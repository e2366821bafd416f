// The playground: corpus and model settings on the left, controls, charts and sampling on the right; GPU
// details and the kernel self-test below. Starts the worker once and applies a shared link's settings.
import { useEffect } from 'react';
import { startWorker } from '../state/workerClient';
import { restoreSession } from '../state/restore';
import { AccuracyChart, GradNormChart, GradThroughTimeChart, LossChart } from './charts/TrainingCharts';
import { useRunStore } from '../state/runStore';
import { PredictionsPanel } from './panels/PredictionsPanel';
import { TaskGraph } from './viz/TaskGraph';
import { TaskStates } from './viz/TaskStates';
import { TaskWeights } from './viz/TaskWeights';
import { TaskDataPanel } from './panels/TaskDataPanel';
import { CorpusPanel } from './panels/CorpusPanel';
import { GpuStatusPanel } from './panels/GpuStatusPanel';
import { Header } from './panels/Header';
import { InsidePanel } from './panels/InsidePanel';
import { ModelPanel } from './panels/ModelPanel';
import { RacePanel } from './panels/RacePanel';
import { RunBar } from './panels/RunBar';
import { RunMessages } from './panels/RunMessages';
import { SamplePanel } from './panels/SamplePanel';
import { SelfTestPanel } from './panels/SelfTestPanel';

export function App() {
  const task = useRunStore((s) => s.task.kind);
  useEffect(() => {
    startWorker();
    void restoreSession(location.hash);
  }, []);
  return (
    <div className="app">
      <Header />
      <main className="playground">
        <aside className="setup">
          {task === 'lm' ? <CorpusPanel /> : <TaskDataPanel kind={task} />}
          <ModelPanel />
        </aside>
        <section className="work">
          <div className="toolbar">
            <RunBar />
          </div>
          <RunMessages />
          <div className="charts">
            <LossChart />
            {task === 'lm' ? <GradNormChart /> : <AccuracyChart />}
          </div>
          {task === 'lm' ? (
            <>
              <SamplePanel />
              <InsidePanel />
              <RacePanel />
            </>
          ) : (
            <>
              <PredictionsPanel />
              <div className="charts">
                <GradNormChart />
                <GradThroughTimeChart />
                <TaskGraph />
                <TaskStates />
                <TaskWeights />
              </div>
            </>
          )}
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
