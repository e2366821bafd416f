// The page shell: header with the GPU status pill, then the panels. Starts the worker once.
import { useEffect } from 'react';
import { startWorker } from '../state/workerClient';
import { Header } from './panels/Header';
import { GpuStatusPanel } from './panels/GpuStatusPanel';
import { SelfTestPanel } from './panels/SelfTestPanel';

export function App() {
  useEffect(() => startWorker(), []);
  return (
    <div className="app">
      <Header />
      <main className="main">
        <p className="lede">
          Unroll trains character-level recurrent networks — vanilla RNN, LSTM, GRU — on <em>your</em> GPU
          with WebGPU, in this tab, with nothing to install. First, check that your GPU runs Unroll's kernels
          correctly.
        </p>
        <div className="grid">
          <GpuStatusPanel />
          <SelfTestPanel />
        </div>
      </main>
      <footer className="footer">
        Every kernel is checked against a float64 reference: |gpu − ref| ≤ atol + rtol·|ref|.
      </footer>
    </div>
  );
}
