// Low-rate GPU facts for the UI (DESIGN.md §3.5): adapter, availability, self-test progress. The store is
// filled from worker events by state/workerClient.ts; components read it and call its actions.
import { create } from 'zustand';
import type { AdapterReport } from '../gpu/device';
import type { CheckResult } from '../gpu/kernels/registry';

export type GpuStatus = 'starting' | 'ready' | 'unavailable' | 'lost';

export interface SelfTestState {
  running: boolean;
  results: CheckResult[];
  total: number;
  summary: { passed: number; failed: number; skipped: number; ms: number } | null;
}

export interface GpuState {
  status: GpuStatus;
  adapter: AdapterReport | null;
  /** Why WebGPU is unavailable or what happened to the device, in plain words. */
  message: string | null;
  errors: string[];
  selfTest: SelfTestState;
}

export const initialGpuState: GpuState = {
  status: 'starting',
  adapter: null,
  message: null,
  errors: [],
  selfTest: { running: false, results: [], total: 0, summary: null },
};

export const useGpuStore = create<GpuState>(() => initialGpuState);
