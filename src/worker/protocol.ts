// The typed message protocol between the UI thread (state/) and the training worker. Every message the two
// sides exchange is declared here, so both ends are checked against one definition.
import type { AdapterReport } from '../gpu/device';
import type { CheckResult } from '../gpu/kernels/registry';

/** UI → worker. */
export type ToWorker =
  /** Acquire the GPU device (again, after a loss). */
  | { type: 'init' }
  /** Run every registered kernel's GPU-vs-reference check. */
  | { type: 'selfTest' }
  /** Destroy the device on purpose, to exercise device-loss recovery. */
  | { type: 'simulateDeviceLoss' };

/** Worker → UI. */
export type FromWorker =
  | { type: 'ready'; adapter: AdapterReport }
  | { type: 'unavailable'; reason: string; message: string }
  | { type: 'deviceLost'; message: string; expected: boolean }
  | { type: 'gpuError'; message: string }
  | { type: 'selfTestResult'; result: CheckResult; done: number; total: number }
  | { type: 'selfTestDone'; passed: number; failed: number; ms: number }
  | { type: 'error'; message: string };
