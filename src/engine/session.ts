// GpuSession: the engine's hold on a GPU device. It acquires the device from any `GPU` object, notices when
// the device is lost, acquires a new one on request, and runs the kernel self-test. The worker (browser)
// and the CLI (Node) both drive it; later the training engine is created on top of session.device.
import { Emitter } from '../core/emitter';
import {
  type AcquireOptions,
  type AdapterReport,
  type GpuContext,
  GpuUnavailableError,
  acquireDevice,
} from '../gpu/device';
import { type CheckResult, runSelfTest } from '../gpu/kernels/index';
import { ENGINE_CHECKS } from './selfChecks';

/** Events a session emits. */
export interface SessionEvents {
  [key: string]: unknown;
  ready: AdapterReport;
  unavailable: { reason: GpuUnavailableError['reason']; message: string };
  /** The device went away; `expected` is true when dispose() or a deliberate destroy caused it. */
  lost: { message: string; expected: boolean };
  gpuError: string;
  selfTestResult: { result: CheckResult; done: number; total: number };
}

/** Summary of a self-test run. */
export interface SelfTestSummary {
  passed: number;
  failed: number;
  /** Cases left out: the hardware-only paths (tuned tiles, the wavefront) on a software adapter. */
  skipped: number;
  ms: number;
  results: CheckResult[];
}

export class GpuSession {
  readonly events = new Emitter<SessionEvents>();
  private ctx: GpuContext | null = null;
  private disposing = false;

  constructor(
    private readonly gpu: GPU | undefined,
    private readonly options: AcquireOptions = {},
  ) {}

  /** The current device, or null before start() or after a loss. */
  get device(): GPUDevice | null {
    return this.ctx?.device ?? null;
  }

  get adapter(): AdapterReport | null {
    return this.ctx?.adapter ?? null;
  }

  /** Acquires (or re-acquires after a loss) the device; emits `ready` or `unavailable`. */
  async start(): Promise<boolean> {
    try {
      const ctx = await acquireDevice(this.gpu, {
        ...this.options,
        onUncapturedError: (m) => this.events.emit('gpuError', m),
      });
      this.ctx = ctx;
      void ctx.lost.then((info) => {
        if (this.ctx === ctx) this.ctx = null;
        this.events.emit('lost', {
          message: info.message || `device lost (${info.reason})`,
          expected: this.disposing || info.reason === 'destroyed',
        });
      });
      this.events.emit('ready', ctx.adapter);
      return true;
    } catch (err) {
      const reason = err instanceof GpuUnavailableError ? err.reason : 'device';
      this.events.emit('unavailable', { reason, message: err instanceof Error ? err.message : String(err) });
      return false;
    }
  }

  /**
   * Runs every registered kernel's GPU-vs-reference check, then the whole-engine checks (a full training
   * iteration per cell type), streaming results as `selfTestResult`.
   */
  async selfTest(): Promise<SelfTestSummary> {
    const device = this.device;
    if (!device) throw new Error('No GPU device: start the session first.');
    const t0 = globalThis.performance.now();
    const hardware = !this.adapter?.isSoftware;
    const checks = ENGINE_CHECKS.filter((c) => hardware || !c.hardwareOnly);
    const extra = checks.length;
    const { results, skipped } = await runSelfTest(
      device,
      (result, done, total) => this.events.emit('selfTestResult', { result, done, total: total + extra }),
      hardware,
    );
    const kernelCount = results.length;
    for (const check of checks) {
      const result = await check.run(device);
      results.push(result);
      this.events.emit('selfTestResult', { result, done: results.length, total: kernelCount + extra });
    }
    const failed = results.filter((r) => !r.ok).length;
    return {
      passed: results.length - failed,
      failed,
      skipped: skipped + ENGINE_CHECKS.length - checks.length,
      ms: globalThis.performance.now() - t0,
      results,
    };
  }

  dispose(): void {
    this.disposing = true;
    this.ctx?.device.destroy();
    this.ctx = null;
  }
}
