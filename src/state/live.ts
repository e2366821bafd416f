// High-rate values outside React state (DESIGN.md §3.5): every training step lands here from the worker and
// the charts read it on requestAnimationFrame when `version` has moved. Only low-rate facts go to zustand.
import type { StepPoint } from '../worker/protocol';

export interface ValPoint {
  step: number;
  nats: number;
  bits: number;
}

export interface TaskPoint {
  step: number;
  loss: number;
  accuracy: number;
  exact: number;
}

/** Points kept per series before the oldest half is thinned by 2 (long runs stay cheap to draw). */
const CAP = 20_000;

export const live = {
  /** Bumped on every change; a chart redraws when it differs from what it drew. */
  version: 0,
  steps: [] as StepPoint[],
  val: [] as ValPoint[],
  /** Sequence tasks: one point per evaluation of the validation examples. */
  task: [] as TaskPoint[],
  /** Race mode: per lane. */
  race: [] as { steps: StepPoint[]; val: ValPoint[] }[],

  pushSteps(points: StepPoint[]): void {
    for (const p of points) this.steps.push(p);
    if (this.steps.length > CAP) {
      const half = CAP / 2;
      this.steps = [...this.steps.slice(0, half).filter((_, i) => i % 2 === 0), ...this.steps.slice(half)];
    }
    this.version++;
  },

  pushTask(p: TaskPoint): void {
    this.task.push(p);
    this.version++;
  },

  pushVal(v: ValPoint): void {
    this.val.push(v);
    this.version++;
  },

  /** The chart history saved with a model (points after the model's step are dropped). */
  restore(
    h: { steps: Omit<StepPoint, 'dhNorms'>[]; val: ValPoint[]; task?: TaskPoint[] },
    step: number,
  ): void {
    this.steps = h.steps.map((p) => ({ ...p, dhNorms: [] }));
    this.val = h.val;
    this.task = h.task ?? [];
    this.truncate(step);
  },

  /** Drops points after `step` (a run restored to an earlier step retrains them). */
  truncate(step: number): void {
    this.steps = this.steps.filter((p) => p.step <= step);
    this.val = this.val.filter((v) => v.step <= step);
    this.task = this.task.filter((t) => t.step <= step);
    this.version++;
  },

  reset(): void {
    this.steps = [];
    this.val = [];
    this.task = [];
    this.version++;
  },

  resetRace(lanes: number): void {
    this.race = Array.from({ length: lanes }, () => ({ steps: [], val: [] }));
    this.version++;
  },

  pushRace(lane: number, points: StepPoint[] | null, val?: ValPoint): void {
    const l = this.race[lane];
    if (!l) return;
    if (points) l.steps.push(...points);
    if (val) l.val.push(val);
    this.version++;
  },

  last(): StepPoint | undefined {
    return this.steps[this.steps.length - 1];
  },
};
