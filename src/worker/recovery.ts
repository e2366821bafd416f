// What the worker needs to rebuild the current run after the GPU device is lost (issue 7): the setup it was
// built from, or the latest model file of it, kept in worker memory. That file is the one the UI asks for when
// it autosaves (every 10 s of training and on every pause), so a lost device costs at most a few seconds of
// training, never the model, and recovery adds no readback of its own.
import { type TaskSource, examplesFor, taskValEvery } from '../core/tasks';
import { CharLM } from '../engine/lm';
import { TrainingRunner } from '../engine/runner';
import { TaskModel } from '../engine/taskModel';
import type { Backend, RunSetup } from './protocol';

/** A run the worker holds: the character LM or a sequence task. */
export type Run = TrainingRunner<CharLM> | TrainingRunner<TaskModel>;

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
  }

  /** Keeps a checkpoint the worker made anyway (a save for the UI). */
  keep(run: number, bytes: Uint8Array, step: number): void {
    if (this.point?.run !== run || step < this.point.step) return;
    this.point = { ...this.point, bytes: bytes.slice(), step };
  }

  /** Rebuilds the run on `device` from the recovery point. */
  async rebuild(device: GPUDevice): Promise<Run> {
    const p = this.point;
    if (!p) throw new Error('Nothing to recover.');
    if (p.task) {
      const examples = examplesFor(p.task.source, p.task.seed);
      const every = taskValEvery(p.valEvery);
      if (p.bytes) return new TrainingRunner(await TaskModel.resume(p.bytes, examples, device), every);
      if (!p.setup) throw new Error('Nothing to recover.');
      const { model, train, valFraction } = p.setup;
      const m = TaskModel.create({ kind: p.task.source.kind, examples, model, train, valFraction, device });
      return new TrainingRunner(m, every);
    }
    if (p.bytes) return new TrainingRunner(await CharLM.resume(p.bytes, p.text, device), p.valEvery);
    if (!p.setup) throw new Error('Nothing to recover.');
    return TrainingRunner.create({ ...p.setup, device }, p.valEvery);
  }
}
