// What the worker needs to rebuild the current run after the GPU device is lost (issue 7): the setup it was
// built from, or the latest checkpoint of it kept in worker memory. Checkpoints are taken while training at
// most every RECOVERY_EVERY_MS and whenever the UI saves the model (it does on every pause), so a lost device
// costs at most a few seconds of training, never the model.
import { type TaskSource, examplesFor } from '../core/tasks';
import { CharLM } from '../engine/lm';
import { type Trainable, TrainingRunner } from '../engine/runner';
import { TaskModel } from '../engine/taskModel';
import type { Backend, RunSetup } from './protocol';

/** Validation every this many steps at most for tasks: an evaluation is a few forward batches. */
export const taskValEvery = (valEvery: number): number => Math.min(valEvery, 20);

/** A rebuilt run: the character LM or a sequence task. */
export type Rebuilt = { lm: TrainingRunner<CharLM> } | { task: TrainingRunner<TaskModel> };

export const RECOVERY_EVERY_MS = 10_000;

export interface RecoveryPoint {
  run: number;
  backend: Backend;
  valEvery: number;
  text: string;
  /** The setup a fresh run is rebuilt from when no checkpoint was taken yet. */
  setup?: RunSetup;
  /** The latest checkpoint (with optimiser state) and its step. */
  bytes?: Uint8Array;
  step: number;
  /** A sequence task's data (its examples are regenerated or re-read with this seed). */
  task?: { source: TaskSource; seed: number };
}

export class Recovery {
  point: RecoveryPoint | null = null;
  private lastAt = 0;
  private taking = false;

  fromSetup(run: number, setup: RunSetup): void {
    this.point = {
      run,
      backend: setup.backend,
      valEvery: setup.valEvery,
      text: setup.text,
      setup,
      step: 0,
      ...(setup.task ? { task: { source: setup.task, seed: setup.train.seed } } : {}),
    };
    this.lastAt = performance.now();
  }

  fromModel(
    run: number,
    bytes: Uint8Array,
    step: number,
    text: string,
    valEvery: number,
    backend: Backend,
    task?: RecoveryPoint['task'],
  ): void {
    this.point = { run, backend, valEvery, text, bytes, step, ...(task ? { task } : {}) };
    this.lastAt = performance.now();
  }

  /** Keeps a checkpoint the worker made anyway (a save for the UI). */
  keep(run: number, bytes: Uint8Array, step: number): void {
    if (this.point?.run !== run || step < this.point.step) return;
    this.point = { ...this.point, bytes: bytes.slice(), step };
    this.lastAt = performance.now();
  }

  /** Takes a checkpoint of `r` when the last one is older than RECOVERY_EVERY_MS. */
  maybeTake(run: number, r: TrainingRunner<Trainable>): void {
    const p = this.point;
    if (!p || p.run !== run || this.taking || r.lm.backend === 'cpu') return;
    if (r.lm.step === p.step || performance.now() - this.lastAt < RECOVERY_EVERY_MS) return;
    this.taking = true;
    // save() captures the state as of this call, so the step read now is the checkpoint's step.
    const step = r.lm.step;
    r.lm
      .save(true)
      .then((bytes) => {
        const q = this.point;
        // A failed read (the device went away meanwhile) or a newer run keeps the previous point.
        if (q?.run === run) this.point = { ...q, bytes, step };
        this.lastAt = performance.now();
      })
      .catch(() => undefined)
      .finally(() => (this.taking = false));
  }

  /** Rebuilds the run on `device` from the recovery point. */
  async rebuild(device: GPUDevice): Promise<Rebuilt> {
    const p = this.point;
    if (!p) throw new Error('Nothing to recover.');
    if (p.task) {
      const examples = examplesFor(p.task.source, p.task.seed);
      const every = taskValEvery(p.valEvery);
      if (p.bytes)
        return { task: new TrainingRunner(await TaskModel.resume(p.bytes, examples, device), every) };
      if (!p.setup) throw new Error('Nothing to recover.');
      const { model, train, valFraction } = p.setup;
      const m = TaskModel.create({ kind: p.task.source.kind, examples, model, train, valFraction, device });
      return { task: new TrainingRunner(m, every) };
    }
    if (p.bytes) return { lm: new TrainingRunner(await CharLM.resume(p.bytes, p.text, device), p.valEvery) };
    if (!p.setup) throw new Error('Nothing to recover.');
    return { lm: TrainingRunner.create({ ...p.setup, device }, p.valEvery) };
  }
}
