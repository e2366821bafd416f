// Iterations recorded ahead of their step (Engine.encodeAhead). Recording an iteration costs the host
// milliseconds (hundreds of dispatches through the WebGPU API) and a command buffer cannot be replayed, so
// the engine records the next one right after a submit, while the GPU runs it, taking that time off the
// path between a batch's arrival and its submit. Everything that changes per step reaches the GPU through
// queue writes, which are ordered before the next submit, so the recorded commands are those the step would
// record — as long as the plan and the optimiser they were recorded for are still current.
import type { ReadbackSlot } from '../gpu/buffers';
import type { OptimizerCall, OptimizerKernel } from '../gpu/kernels/optimizer';
import type { Plan } from './plan';

/** One iteration recorded into a command buffer for a plan, with its metrics slot (null: no metrics). */
export interface RecordedStep {
  plan: Plan;
  optKernel: OptimizerKernel;
  optCall: OptimizerCall;
  commands: GPUCommandBuffer;
  slot: ReadbackSlot | null;
  phases: string[];
}

/** Holds at most one recorded iteration until the step it was recorded for. */
export class AheadStep {
  private held: RecordedStep | null = null;
  /** Steps submitted with commands recorded ahead, and recordings dropped because the plan changed. */
  readonly counts = { used: 0, dropped: 0 };

  hold(step: RecordedStep): void {
    this.held = step;
  }

  /** The held iteration if it was recorded for this plan and optimiser; else drops it (and frees its slot). */
  take(current: Pick<RecordedStep, 'plan' | 'optKernel' | 'optCall'>): RecordedStep | null {
    const a = this.held;
    this.held = null;
    if (!a) return null;
    if (a.plan === current.plan && a.optKernel === current.optKernel && a.optCall === current.optCall) {
      this.counts.used++;
      return a;
    }
    if (a.slot) a.plan.ring.release(a.slot);
    this.counts.dropped++;
    return null;
  }

  /** Forgets the held iteration (its plan's buffers are being destroyed with the engine). */
  clear(): void {
    this.held = null;
  }
}
