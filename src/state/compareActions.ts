// The side-by-side run of a task (issue 9): the worker trains the same model with the task's switch flipped
// (attention, or the reverse layer) for as many steps as this run has taken, and its evaluation is shown next
// to this run's — what attention (or reading backwards) buys, on the same data and budget.
import { create } from 'zustand';
import type { ModelConfig } from '../core/config';
import type { FromWorker, TaskEvaluation } from '../worker/protocol';
import { useRunStore } from './runStore';
import { send } from './workerClient';

export interface CompareState {
  running: boolean;
  step: number;
  steps: number;
  result: { model: ModelConfig; evaluation: TaskEvaluation } | null;
  error: string | null;
}

export const useCompareStore = create<CompareState>(() => ({
  running: false,
  step: 0,
  steps: 0,
  result: null,
  error: null,
}));

let compareId = 0;

export const compareActions = {
  run(): void {
    const steps = useRunStore.getState().taskEval?.step ?? 0;
    if (useCompareStore.getState().running) return;
    if (steps < 1)
      return void useCompareStore.setState({
        error: 'Train this model first: the other one gets as many steps.',
      });
    useCompareStore.setState({ running: true, step: 0, steps, error: null, result: null });
    send({ type: 'compare', id: ++compareId, steps });
  },

  /** A new run makes the last comparison stale. */
  clear(): void {
    compareId++;
    useCompareStore.setState({ running: false, step: 0, steps: 0, result: null, error: null });
  },
};

/** Folds comparison events into the store; false for other messages. */
export function handleCompareEvent(msg: FromWorker): boolean {
  if (msg.type !== 'compareProgress' && msg.type !== 'compareDone' && msg.type !== 'compareError')
    return false;
  if (msg.id !== compareId) return true;
  if (msg.type === 'compareProgress') useCompareStore.setState({ step: msg.step, steps: msg.steps });
  else if (msg.type === 'compareDone')
    useCompareStore.setState({ running: false, result: { model: msg.model, evaluation: msg.evaluation } });
  else useCompareStore.setState({ running: false, error: msg.message });
  return true;
}
