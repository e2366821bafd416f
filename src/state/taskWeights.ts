// The weights card of a task run: one recurrent layer's W_hh and W_ih, read after each evaluation while the
// card is open (a readback of every parameter, so not while it is closed), and each weight matrix's norm per
// snapshot. The character LM's weights view rides on its inspection snapshots instead (state/inspect.ts).
import { create } from 'zustand';
import type { FromWorker, WeightSnapshot } from '../worker/protocol';
import { send } from './workerClient';

export interface TaskWeightsState {
  open: boolean;
  /** Index into the snapshot's `layers` (encoder layers first). */
  layer: number;
  gate: number;
  weights: WeightSnapshot | null;
  step: number;
  norms: { step: number; norms: Record<string, number> }[];
  error: string | null;
}

const initial: TaskWeightsState = {
  open: false,
  layer: 0,
  gate: 0,
  weights: null,
  step: 0,
  norms: [],
  error: null,
};

export const useTaskWeights = create<TaskWeightsState>(() => initial);

let nextId = 1;
let pending = 0;

export const taskWeightsActions = {
  setOpen(open: boolean): void {
    useTaskWeights.setState({ open });
    if (open) taskWeightsActions.refresh();
  },
  select(patch: Partial<Pick<TaskWeightsState, 'layer' | 'gate'>>): void {
    useTaskWeights.setState(patch);
    if (patch.layer !== undefined) taskWeightsActions.refresh();
  },
  /** A new run: nothing of the last one's weights applies. */
  reset(): void {
    useTaskWeights.setState({ weights: null, norms: [], step: 0, error: null, layer: 0 });
  },
  /** Asks for a snapshot when the card is open (the latest request wins). */
  refresh(): void {
    const st = useTaskWeights.getState();
    if (!st.open) return;
    pending = nextId++;
    send({ type: 'weights', id: pending, layer: st.layer });
  },
};

export function handleTaskWeightsEvent(msg: FromWorker): boolean {
  if (msg.type === 'weights') {
    if (msg.id !== pending) return true;
    useTaskWeights.setState((s) => ({
      weights: msg.weights,
      step: msg.step,
      error: null,
      layer: msg.weights.layer,
      norms:
        s.norms.at(-1)?.step === msg.step
          ? s.norms
          : [...s.norms.filter((n) => n.step < msg.step), { step: msg.step, norms: msg.weights.norms }].slice(
              -500,
            ),
    }));
    return true;
  }
  if (msg.type === 'weightsError') {
    if (msg.id === pending) useTaskWeights.setState({ error: msg.message });
    return true;
  }
  return false;
}
