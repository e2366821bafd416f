// The inside views' data: the probe text, the latest forward-pass snapshot of states, gates and predictions
// on it (refreshed every ~1.5 s while training, and after each step), and what the user selected.
import { create } from 'zustand';
import type { FromWorker, Inspection, WeightSnapshot } from '../worker/protocol';
import { live } from './live';
import { useRunStore } from './runStore';
import { send } from './workerClient';

export interface SaturationPoint {
  step: number;
  /** Share of gate values below 0.1 or above 0.9, per layer (sigmoid gates only). */
  saturated: number[];
}

export interface InspectState {
  probe: string;
  data: Inspection | null;
  text: string;
  step: number;
  error: string | null;
  layer: number;
  unit: number;
  /** Gate index within the cell's activations (LSTM i f g o, GRU r z n). */
  gate: number;
  saturation: SaturationPoint[];
  /** The weights view is open: snapshots then carry the selected layer's matrices. */
  wantWeights: boolean;
  weights: WeightSnapshot | null;
  /** Norm of each recurrent weight matrix per snapshot. */
  weightNorms: { step: number; norms: Record<string, number> }[];
}

export const useInspectStore = create<InspectState>(() => ({
  probe: '',
  data: null,
  text: '',
  step: 0,
  error: null,
  layer: 0,
  unit: 0,
  gate: 1,
  saturation: [],
  wantWeights: false,
  weights: null,
  weightNorms: [],
}));

let nextId = 1;
let pending = 0;
let lastAsk = 0;
/** Something changed while a request was in flight: ask again when it answers. */
let again = false;

/** The probe text: what the user typed, or the first line(s) of the corpus (up to 64 characters). */
export function probeText(): string {
  const p = useInspectStore.getState().probe;
  if (p) return p;
  const text = useRunStore.getState().corpus.text;
  return text.slice(0, 64);
}

export const inspectActions = {
  setProbe(probe: string): void {
    useInspectStore.setState({ probe });
    inspectActions.refresh();
  },
  select(patch: Partial<Pick<InspectState, 'layer' | 'unit' | 'gate'>>): void {
    useInspectStore.setState(patch);
    if (patch.layer !== undefined && useInspectStore.getState().wantWeights) inspectActions.refresh();
  },
  /** The weights view opened or closed: snapshots carry weight matrices only while it is open. */
  wantWeights(on: boolean): void {
    useInspectStore.setState({ wantWeights: on });
    if (on) inspectActions.refresh();
  },
  refresh(): void {
    const run = useRunStore.getState().run;
    // Sequence tasks have no inside views yet (issue 9).
    if (run.status !== 'ready' || run.info?.task) return;
    if (pending) {
      again = true;
      return;
    }
    again = false;
    pending = nextId++;
    lastAsk = performance.now();
    const st = useInspectStore.getState();
    send({
      type: 'inspect',
      id: pending,
      text: probeText(),
      ...(st.wantWeights ? { weightsLayer: st.layer } : {}),
    });
  },
  /** Called as steps arrive: a new snapshot at most every 1.5 s (one request in flight at a time). */
  maybeRefresh(): void {
    if (performance.now() - lastAsk > 1500) inspectActions.refresh();
  },
};

/** Sigmoid gates per cell: LSTM i, f, o (0, 1, 3); GRU r, z (0, 1). */
function sigmoidGates(A: number, cell: string): number[] {
  if (cell === 'gru') return [0, 1];
  return A === 4 ? [0, 1, 3] : [];
}

export function handleInspectEvent(msg: FromWorker): boolean {
  if (msg.type === 'inspection') {
    if (msg.id !== pending) return true;
    pending = 0;
    const d = msg.data;
    const cell = useRunStore.getState().run.info?.model.cell ?? 'lstm';
    const gates = sigmoidGates(d.A, cell);
    const saturated = d.gates.map((g) => {
      let n = 0;
      let s = 0;
      for (let t = 0; t < d.T; t++)
        for (const k of gates)
          for (let j = 0; j < d.H; j++) {
            const v = g[(t * d.A + k) * d.H + j]!;
            n++;
            if (v < 0.1 || v > 0.9) s++;
          }
      return n ? s / n : 0;
    });
    useInspectStore.setState((s) => ({
      data: d,
      text: msg.text,
      step: msg.step,
      error: null,
      unit: Math.min(s.unit, d.H - 1),
      ...(msg.weights
        ? {
            weights: msg.weights,
            weightNorms:
              s.weightNorms.at(-1)?.step === msg.step
                ? s.weightNorms
                : [...s.weightNorms, { step: msg.step, norms: msg.weights.norms }].slice(-500),
          }
        : {}),
      layer: Math.min(s.layer, d.h.length - 1),
      saturation:
        gates.length && s.saturation.at(-1)?.step !== msg.step
          ? [...s.saturation, { step: msg.step, saturated }].slice(-500)
          : s.saturation,
    }));
    live.version++;
    if (again) inspectActions.refresh();
    return true;
  }
  if (msg.type === 'inspectError') {
    if (msg.id === pending) pending = 0;
    if (again) inspectActions.refresh();
    useInspectStore.setState({ error: msg.message });
    return true;
  }
  return false;
}
