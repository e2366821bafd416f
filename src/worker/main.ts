// The dedicated Web Worker that owns the GPU device (DESIGN.md §1): the UI thread never touches WebGPU.
// It turns protocol messages into GpuSession calls and session events into protocol messages.
import { GpuSession } from '../engine/session';
import type { FromWorker, ToWorker } from './protocol';

const scope = self as unknown as DedicatedWorkerGlobalScope;
const post = (msg: FromWorker): void => scope.postMessage(msg);

const session = new GpuSession(scope.navigator.gpu);
session.events.on('ready', (adapter) => post({ type: 'ready', adapter }));
session.events.on('unavailable', (u) => post({ type: 'unavailable', reason: u.reason, message: u.message }));
session.events.on('lost', (l) => post({ type: 'deviceLost', message: l.message, expected: l.expected }));
session.events.on('gpuError', (message) => post({ type: 'gpuError', message }));
session.events.on('selfTestResult', (r) => post({ type: 'selfTestResult', ...r }));

async function handle(msg: ToWorker): Promise<void> {
  switch (msg.type) {
    case 'init':
      await session.start();
      return;
    case 'selfTest': {
      if (!session.device) await session.start();
      const s = await session.selfTest();
      post({ type: 'selfTestDone', passed: s.passed, failed: s.failed, ms: s.ms });
      return;
    }
    case 'simulateDeviceLoss':
      session.device?.destroy();
      return;
  }
}

scope.onmessage = (ev: MessageEvent<ToWorker>) => {
  handle(ev.data).catch((err: unknown) =>
    post({ type: 'error', message: err instanceof Error ? err.message : String(err) }),
  );
};
