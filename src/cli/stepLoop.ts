// The training loop both `train` commands share: submit steps, drain every 16 (bounding the work in flight
// and timing the steps that completed), and hand each validation point to the caller — the language model
// starts a pass that advances alongside training, a task evaluates on the spot.

export interface StepLoop {
  first: number;
  steps: number;
  valEvery: number;
  step(): void;
  flush(): Promise<void>;
  /**
   * Called after step s when s is a multiple of valEvery (not for the last step: the caller's final pass);
   * never when valEvery is 0.
   */
  validate(s: number): Promise<void> | void;
  /** Stop early (a diverged run). */
  stopped(): boolean;
  /** Milliseconds per step over the steps drained since the last report. */
  speed(msPerStep: number): void;
}

export async function runSteps(o: StepLoop): Promise<void> {
  const last = o.first + o.steps;
  let t0 = performance.now();
  let s0 = o.first;
  for (let s = o.first + 1; s <= last && !o.stopped(); s++) {
    o.step();
    const validating = o.valEvery > 0 && s % o.valEvery === 0 && s !== last;
    if (s % 16 === 0 || s === last || validating) {
      await o.flush();
      const now = performance.now();
      o.speed((now - t0) / (s - s0));
      t0 = now;
      s0 = s;
    }
    if (validating) await o.validate(s);
  }
}
