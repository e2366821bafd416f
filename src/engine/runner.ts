// TrainingRunner: the play/pause/step loop around a CharLM that the playground's worker drives. It keeps the
// GPU fed without running ahead of it (a flush every few steps, which also yields to incoming messages),
// starts a validation pass every `valEvery` steps — or after VAL_SECONDS of slow steps — (interleaved, so
// training does not stall), measures speed,
// and reports everything as events. Framework-free, so it runs under Node in tests.
import { Emitter, type EventMap } from '../core/emitter';
import { type ModelConfig, type TrainConfig, VAL_SECONDS } from '../core/config';
import { CharLM, type LmSetup } from './lm';
import type { EvalResult } from './sampling';
import type { StepMetrics, Trainer } from './types';

export type RunState = 'idle' | 'training' | 'paused';

/** One step as the UI draws it. */
export interface StepPoint {
  step: number;
  epoch: number;
  loss: number;
  gradNorm: number;
  clipScale: number;
  nonFinite: boolean;
  /** Per-layer ‖∂L/∂h_t‖ over the window (for the gradient-through-time view). */
  dhNorms: number[][];
  /** Gradient norm of each recurrent layer's tensors (before clipping). */
  layerNorms: number[];
  gpuMs?: number;
}

export interface Speed {
  msPerStep: number;
  charsPerSec: number;
  /** GPU time per step from timestamp queries, when the adapter has them. */
  gpuMsPerStep?: number;
}

export interface RunnerEvents extends EventMap {
  state: RunState;
  steps: StepPoint[];
  validation: { step: number; result: EvalResult };
  speed: Speed;
  diverged: { step: number; message: string };
  error: string;
}

/**
 * Steps submitted between waits for the GPU, from the last batch's time per step: as many as fill about
 * `BATCH_MS` (one to `MAX_BATCH`). Each wait leaves the GPU idle until the next submit (the completion round
 * trip, the metrics, a turn of the message loop): once a batch, so a fast GPU gets batches long enough that
 * this costs a few per cent, and a slow one (a software adapter) still pauses and reports after each step.
 * The readback rings hold 64 in flight: metrics (freed by the wait) and validation windows, one per step,
 * whose slots free as their maps land — two batches' worth stay well inside.
 */
export function stepsPerBatch(msPerStep: number): number {
  if (!(msPerStep > 0)) return 1;
  return Math.max(1, Math.min(MAX_BATCH, Math.floor(BATCH_MS / msPerStep)));
}
const BATCH_MS = 50;
const MAX_BATCH = 16;

/**
 * Whether the step just taken starts a validation pass: every `valEvery` steps, or — where steps are slow (a
 * software adapter, the CPU fallback, a big model), so the first point of the grid would be minutes away —
 * once training has run VAL_SECONDS since the last pass began, and four times as long as that pass took (so
 * validation stays within about a fifth of the time). `trainedMs` null: the grid alone (single steps, races).
 */
export function validationDue(
  step: number,
  valEvery: number,
  trainedMs: number | null,
  lastPassMs: number,
  seconds = VAL_SECONDS,
): boolean {
  if (step % valEvery === 0) return true;
  return trainedMs !== null && trainedMs >= Math.max(seconds * 1000, 4 * lastPassMs);
}

/** What a runner drives: the character LM (CharLM) or a sequence task (TaskModel). */
export interface Trainable {
  readonly events: Emitter<{ metrics: StepMetrics & { epoch: number }; error: string }>;
  readonly trainer: Trainer;
  readonly model: ModelConfig;
  readonly train: TrainConfig;
  readonly step: number;
  trainStep(): void;
  flush(): Promise<void>;
  /** Starts a validation pass that goes on alongside training (or is quick); settles when done. */
  startValidation(): Promise<unknown>;
  /**
   * Training waits for each validation pass: the pass is a chain of dependent GPU round trips (a task's
   * batches, a decoder's tokens), each of which would otherwise queue behind a batch of training steps.
   */
  readonly validationHoldsTraining?: boolean;
  /** Runs a validation pass to the end. */
  validate(): Promise<unknown>;
  setConfig(patch: Partial<TrainConfig>): void;
  /** A model file as of the steps taken so far. */
  save(optimizer?: boolean): Promise<Uint8Array>;
  dispose(): void;
}

export class TrainingRunner<L extends Trainable = CharLM> {
  readonly events = new Emitter<RunnerEvents>();
  private state: RunState = 'idle';
  private loop: Promise<void> | null = null;
  private pending: StepPoint[] = [];
  private gpuMs: number[] = [];
  /** Steps in the next batch (stepsPerBatch); at least `minBatch`. */
  private batch = 1;
  /** The least steps a batch holds (tests raise it to put several steps in flight on a slow adapter). */
  minBatch = 1;
  /** A divergence was reported since play() or step(): the steps already in flight behind it stay quiet. */
  private divergenceReported = false;
  valEvery: number;
  /** Stop (pause) at this step: a race gives every lane the same budget. */
  budget = Infinity;
  /** Off the grid, a validation pass after this many seconds of training (validationDue). */
  valSeconds = VAL_SECONDS;
  /** Training time since the last validation pass began (ms; batches' wall time, not paused time). */
  private sinceValidation = 0;
  /** How long the last validation pass took (ms). */
  private lastPassMs = 0;

  constructor(
    readonly lm: L,
    valEvery = 100,
  ) {
    this.valEvery = valEvery;
    lm.events.on('metrics', (m) => this.onMetrics(m));
    lm.events.on('error', (e) => this.events.emit('error', e));
    if (lm instanceof CharLM) lm.events.on('validation', (v) => this.events.emit('validation', v));
  }

  static create(setup: LmSetup, valEvery?: number): TrainingRunner {
    return new TrainingRunner(CharLM.create(setup), valEvery);
  }

  get runState(): RunState {
    return this.state;
  }

  private onMetrics(m: StepMetrics & { epoch: number }): void {
    const gpu = m.gpuMs ? Object.values(m.gpuMs).reduce((a, b) => a + b, 0) : undefined;
    if (gpu !== undefined) this.gpuMs.push(gpu);
    this.pending.push({
      step: m.step,
      epoch: m.epoch,
      loss: m.loss,
      gradNorm: m.gradNorm,
      clipScale: m.clipScale,
      nonFinite: m.nonFinite,
      dhNorms: m.dhNorms.map((d) => Array.from(d)),
      layerNorms: this.layerNorms(m.tensorNorms),
      ...(gpu !== undefined ? { gpuMs: gpu } : {}),
    });
    if (m.nonFinite) {
      // The GPU skipped this update, so the parameters and optimiser state are those of the last finite step;
      // the carried hidden state may hold the overflow, so the next window starts afresh. Steps of the same
      // batch behind it were skipped too; the first is the one to report.
      this.lm.trainer.resetState();
      if (this.divergenceReported) return;
      this.divergenceReported = true;
      const names = this.lm.trainer.layout.tensors.map((t) => t.name);
      const first = names[Array.from(m.tensorNorms).findIndex((v) => !Number.isFinite(v))];
      this.events.emit('diverged', {
        step: m.step,
        message: `Step ${m.step}: the gradient is not finite (NaN or ∞)${first ? `, first in ${first}` : ''}. Training paused; the update was skipped, so the model is as it was after the last finite step. Lower the learning rate or set a clip threshold, then continue.`,
      });
      this.pause();
    }
  }

  private layerNorms(tensorNorms: Float32Array): number[] {
    const sums = new Array<number>(this.lm.model.layers).fill(0);
    this.lm.trainer.layout.tensors.forEach((t, i) => {
      if (t.layer >= 0) sums[t.layer] = sums[t.layer]! + tensorNorms[i]! ** 2;
    });
    return sums.map(Math.sqrt);
  }

  /** Hands the steps measured since the last call to listeners (one message per batch, not per step). */
  private drain(): void {
    if (!this.pending.length) return;
    const batch = this.pending;
    this.pending = [];
    this.events.emit('steps', batch);
  }

  private setState(s: RunState): void {
    if (s === this.state) return;
    this.state = s;
    this.events.emit('state', s);
  }

  /** Starts (or resumes) training until pause(). */
  play(): void {
    if (this.state === 'training') return;
    this.divergenceReported = false;
    this.batch = 1; // measured afresh: the settings may have changed the time per step
    this.setState('training');
    this.loop ??= this.run().finally(() => (this.loop = null));
  }

  pause(): void {
    if (this.state === 'training') this.setState('paused');
  }

  /** One iteration while paused (or idle). */
  async step(): Promise<void> {
    if (this.state === 'training') return;
    this.divergenceReported = false;
    this.trainOne(null);
    await this.lm.flush();
    this.drain();
    if (this.state === 'idle') this.setState('paused');
  }

  /**
   * One step, and the validation pass it starts when training is to wait for that pass. `batchStart`: when
   * the running batch began (performance.now()); null for a single step, which validates on the grid alone.
   */
  private trainOne(batchStart: number | null): Promise<unknown> | null {
    this.lm.trainStep();
    const inBatch = batchStart === null ? 0 : performance.now() - batchStart;
    // A race compares its lanes at the same steps: the grid alone there too.
    const timed = batchStart === null || this.budget < Infinity ? null : this.sinceValidation + inBatch;
    if (!validationDue(this.lm.step, this.valEvery, timed, this.lastPassMs, this.valSeconds)) return null;
    // The batch's time is added when it ends: what it ran before this pass is not training since the pass.
    this.sinceValidation = -inBatch;
    const began = performance.now();
    // A pass that fails takes its device with it (device loss: the worker's recovery reports and rebuilds);
    // training must not wait on it forever, nor report it twice.
    const pass = this.lm
      .startValidation()
      .catch(() => undefined)
      .finally(() => (this.lastPassMs = performance.now() - began));
    return this.lm.validationHoldsTraining ? pass : null;
  }

  private async run(): Promise<void> {
    const { seqLen: T, batchSize: B } = this.lm.train;
    let t0 = performance.now();
    let steps = 0;
    try {
      while (this.state === 'training') {
        const start = performance.now();
        let n = 0;
        let held: Promise<unknown> | null = null;
        while (n < Math.max(this.batch, this.minBatch) && !held) {
          if (this.state !== 'training' || this.lm.step >= this.budget) break;
          held = this.trainOne(start);
          n++;
        }
        steps += n;
        if (this.lm.step >= this.budget) {
          await this.lm.flush();
          this.drain();
          // The budget's last step gets a validation pass, so lanes compare on the same footing.
          await this.lm.validate();
          this.setState('paused');
          break;
        }
        await this.lm.flush();
        this.drain();
        const now = performance.now();
        this.sinceValidation += now - start;
        if (n > 0) this.batch = stepsPerBatch((now - start) / n);
        if (now - t0 > 500) {
          const ms = (now - t0) / steps;
          const gpu = this.gpuMs.length
            ? this.gpuMs.reduce((a, b) => a + b, 0) / this.gpuMs.length
            : undefined;
          this.events.emit('speed', {
            msPerStep: ms,
            charsPerSec: (T * B * 1000) / ms,
            ...(gpu !== undefined ? { gpuMsPerStep: gpu } : {}),
          });
          t0 = now;
          steps = 0;
          this.gpuMs = [];
        }
        if (held) {
          // Off the clock: the speed readout is training's.
          const w0 = performance.now();
          await held;
          t0 += performance.now() - w0;
        }
        // Yield to the message loop so pause and sampling requests are handled between batches.
        await new Promise((r) => setTimeout(r, 0));
      }
    } catch (e) {
      this.setState('paused');
      this.events.emit('error', e instanceof Error ? e.message : String(e));
    }
  }

  /** Waits until the loop has stopped (after pause). */
  async idle(): Promise<void> {
    await this.loop;
  }

  setConfig(patch: Partial<TrainConfig>): void {
    this.lm.setConfig(patch);
    this.batch = 1;
  }

  dispose(): void {
    this.state = 'idle';
    void this.idle().then(() => this.lm.dispose());
  }
}
