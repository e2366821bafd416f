// Owns the training worker on the UI thread: starts it, sends commands, and folds its events into the
// stores. Components never see the worker; they call the actions exported here (DESIGN.md §3.4).
import type { FromWorker, ToWorker } from '../worker/protocol';
import { type GpuState, useGpuStore } from './gpuStore';
import { handleInspectEvent } from './inspect';
import { handleTaskWeightsEvent } from './taskWeights';
import { handleCompareEvent } from './compareActions';
import { handleDecodeEvent } from './decodeActions';
import { handleRaceEvent } from './raceActions';
import { handleRunEvent, runActions } from './runActions';
import { useRunStore } from './runStore';

let worker: Worker | null = null;

/** Posts a command to the training worker (transferring `transfer`). */
export function send(msg: ToWorker, transfer: Transferable[] = []): void {
  worker?.postMessage(msg, transfer);
}

/** Applies one worker event to the GPU store (pure, so it is unit-tested without a worker). */
export function reduceGpuEvent(state: GpuState, msg: FromWorker): Partial<GpuState> {
  switch (msg.type) {
    default:
      return {};
    case 'ready':
      return { status: 'ready', adapter: msg.adapter, message: null };
    case 'unavailable':
      return { status: 'unavailable', adapter: null, message: msg.message };
    case 'deviceLost':
      return {
        status: msg.recovering ? 'starting' : 'lost',
        message: `The GPU device was lost${msg.expected ? '' : ' unexpectedly'}: ${msg.message}${msg.recovering ? ' — acquiring a new one' : ''}`,
        selfTest: { ...state.selfTest, running: false },
      };
    case 'gpuError':
    case 'error':
      return {
        errors: [...state.errors.slice(-9), msg.message],
        selfTest: { ...state.selfTest, running: false },
      };
    case 'selfTestResult':
      return {
        selfTest: {
          ...state.selfTest,
          running: true,
          results: [...state.selfTest.results, msg.result],
          total: msg.total,
        },
      };
    case 'selfTestDone':
      return {
        selfTest: {
          ...state.selfTest,
          running: false,
          summary: { passed: msg.passed, failed: msg.failed, skipped: msg.skipped, ms: msg.ms },
        },
      };
  }
}

/** Starts the worker once; safe to call from an effect that may run twice. */
export function startWorker(): void {
  if (worker) return;
  const hasGpu = typeof navigator !== 'undefined' && 'gpu' in navigator && !!navigator.gpu;
  if (!hasGpu) {
    // The labelled CPU reference is the fallback: small models only, always shown as CPU.
    useRunStore.setState({ backend: 'cpu' });
    useGpuStore.setState(
      reduceGpuEvent(useGpuStore.getState(), {
        type: 'unavailable',
        reason: 'no-webgpu',
        message:
          'This browser has no WebGPU. Use a current Chrome or Edge (Windows, macOS, ChromeOS, Android), Safari 26+, or Firefox 141+ on Windows; on Linux, Chrome with chrome://flags/#enable-unsafe-webgpu enabled.',
      }),
    );
  }
  // The worker also runs the labelled CPU fallback, so it starts with or without WebGPU.
  worker = new Worker(new URL('../worker/main.ts', import.meta.url), {
    type: 'module',
    name: 'unroll-trainer',
  });
  worker.onmessage = (ev: MessageEvent<FromWorker>) => {
    if (
      handleInspectEvent(ev.data) ||
      handleTaskWeightsEvent(ev.data) ||
      handleRaceEvent(ev.data) ||
      handleDecodeEvent(ev.data) ||
      handleCompareEvent(ev.data) ||
      handleRunEvent(ev.data)
    )
      return;
    if (ev.data.type === 'deviceLost' && !ev.data.expected) runActions.deviceLost(ev.data.recovering);
    if (!hasGpu && ev.data.type === 'unavailable') return;
    useGpuStore.setState((s) => reduceGpuEvent(s, ev.data));
  };
  worker.onerror = (ev) => {
    useGpuStore.setState((s) => ({ errors: [...s.errors, `Worker failed: ${ev.message}`] }));
  };
  send({ type: 'init', gpu: hasGpu });
}

export const gpuActions = {
  runSelfTest(): void {
    useGpuStore.setState((s) => ({
      selfTest: { ...s.selfTest, running: true, results: [], total: 0, summary: null },
    }));
    send({ type: 'selfTest' });
  },
  /** Re-acquires the device after a loss. */
  reconnect(): void {
    useGpuStore.setState({ status: 'starting', message: null });
    send({ type: 'init', gpu: true });
  },
  simulateDeviceLoss(): void {
    send({ type: 'simulateDeviceLoss' });
  },
};
