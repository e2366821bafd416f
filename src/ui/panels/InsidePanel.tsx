// Seeing inside: the model run on a probe text — predictions, states and gates over the text, one unit on the
// text with a neuron finder, and gradient flow through time — refreshed from the worker while it trains.
import { useCallback, useEffect, useState } from 'react';
import { inspectActions, probeText, useInspectStore } from '../../state/inspect';
import { live } from '../../state/live';
import { useRunStore } from '../../state/runStore';
import { SeriesChart, type Series } from '../charts/SeriesChart';
import { PALETTE } from '../charts/series';
import { GradThroughTimeChart } from '../charts/TrainingCharts';
import { Heatmap } from '../viz/Heatmap';
import { NeuronView } from '../viz/NeuronView';
import { PredictionStrip } from '../viz/PredictionStrip';
import { UnrolledGraph } from '../viz/UnrolledGraph';
import { WeightsView } from '../viz/WeightsView';
import { gateNames } from './cells';
import type { Inspection } from '../../state/protocolTypes';

type Tab = 'graph' | 'predictions' | 'states' | 'neuron' | 'gradients' | 'weights';

const TABS: { id: Tab; label: string; note: string }[] = [
  {
    id: 'graph',
    label: 'Unrolled',
    note: 'The same cell applied at every character, unrolled through time: inputs at the bottom, the cell and its hidden state in the middle, the predicted next character on top. After each snapshot the forward sweep runs left to right, then backpropagation right to left: the recurrent arrows get wider and darker where ‖∂L/∂hₜ‖ (measured on the last training window) is larger. Gradients stop at the truncation boundary — the start of the BPTT window. Fold it to see the single recurrent cell with its loop.',
  },
  {
    id: 'predictions',
    label: 'Predictions',
    note: 'Under each character of the probe text, the five characters the model thinks most likely to come next (bar length = probability). Green marks the character that actually comes next; the bars at the bottom are the loss at each position (−log p of the true next character).',
  },
  {
    id: 'states',
    label: 'States & gates',
    note: 'Each row is a hidden unit, each column a character of the probe text. States h (and the LSTM cell c) range over (−1, 1): blue negative, vermillion positive. Gates range over (0, 1): darker is more open. A forget gate near 1 keeps the cell’s memory; an update gate z near 1 (GRU) copies the previous state.',
  },
  {
    id: 'neuron',
    label: 'Neuron',
    note: 'The probe text coloured by one unit’s activation, the picture of Karpathy, Johnson & Fei-Fei (2015). The finder ranks units by how well they correlate with a simple feature of the text; click one to see it.',
  },
  {
    id: 'gradients',
    label: 'Gradient through time',
    note: '‖∂L/∂hₜ‖ for each position t of the last training window, per layer, on a log scale: how much each step’s state still matters to the loss. Falling steeply to the left is the vanishing gradient; the faint lines are earlier in training. Clipping engaged on the steps flagged in the gradient-norm chart.',
  },
  {
    id: 'weights',
    label: 'Weights',
    note: 'The recurrent weights W_hh and input weights W_ih of the selected layer, one gate at a time (PyTorch layout: rows are the gate’s units). Blue negative, vermillion positive, scaled to the largest magnitude. Below, the norm of each weight matrix at each snapshot: watch it grow as the model learns, or explode before a divergence.',
  },
];

function GateSelect({ gates, gate }: { gates: string[]; gate: number }) {
  return (
    <select
      className="compact"
      value={gate}
      onChange={(e) => inspectActions.select({ gate: Number(e.target.value) })}
      aria-label="Gate"
    >
      {gates.map((g, k) => (
        <option key={k} value={k}>
          {g}
        </option>
      ))}
    </select>
  );
}

export function InsidePanel() {
  const [tab, setTab] = useState<Tab>('graph');
  const ready = useRunStore((s) => s.run.status === 'ready');
  const info = useRunStore((s) => s.run.info);
  const st = useInspectStore();
  useEffect(() => inspectActions.wantWeights(tab === 'weights'), [tab]);
  const d = st.data;
  const chars = [...st.text];
  const layer = Math.min(st.layer, (d?.h.length ?? 1) - 1);
  const gates = gateNames(info?.model.cell);

  return (
    <section className="card inside" aria-labelledby="inside-title">
      <div className="card-head">
        <h2 id="inside-title">4 · Inside the network</h2>
        {d && <span className="muted small">snapshot at step {st.step}</span>}
      </div>
      <label className="field wide">
        <span>Probe text</span>
        <input
          type="text"
          data-testid="probe-input"
          value={st.probe || probeText()}
          onChange={(e) => inspectActions.setProbe(e.target.value)}
        />
      </label>
      <div className="tabs" role="tablist">
        {TABS.map((t) => (
          <button
            key={t.id}
            type="button"
            role="tab"
            aria-selected={tab === t.id}
            className={tab === t.id ? 'tab active' : 'tab'}
            onClick={() => setTab(t.id)}
            data-testid={`tab-${t.id}`}
          >
            {t.label}
          </button>
        ))}
      </div>
      <p className="hint">{TABS.find((t) => t.id === tab)!.note}</p>
      {st.error && <p className="error">{st.error}</p>}
      {!ready || !d ? (
        tab !== 'gradients' && <p className="muted">Train or step once: the views fill from the model.</p>
      ) : (
        <>
          {tab === 'graph' && info && (
            <Unrolled
              d={d}
              chars={chars}
              vocab={info.vocab}
              lstm={info.model.cell.startsWith('lstm')}
              seqLen={info.train.seqLen}
              version={st.step}
            />
          )}
          {tab === 'predictions' && info && <PredictionStrip data={d} chars={chars} vocab={info.vocab} />}
          {(tab === 'states' || tab === 'neuron' || tab === 'weights') && d.h.length > 1 && (
            <div className="row">
              <span className="muted small">Layer</span>
              {d.h.map((_, l) => (
                <button
                  key={l}
                  type="button"
                  className={`small${l === layer ? ' active' : ''}`}
                  onClick={() => inspectActions.select({ layer: l })}
                >
                  {l + 1}
                </button>
              ))}
            </div>
          )}
          {tab === 'states' && (
            <div className="heatmaps">
              <div>
                <h3>hidden state h</h3>
                <Heatmap
                  testId="state-heatmap"
                  values={d.h[layer]!}
                  T={d.T}
                  units={d.H}
                  stride={d.H}
                  offset={0}
                  diverging
                  chars={chars}
                  selected={st.unit}
                  onSelect={(unit) => inspectActions.select({ unit })}
                />
              </div>
              {gates.length > 0 && (
                <div>
                  <h3>
                    gate <GateSelect gates={gates} gate={st.gate} />
                  </h3>
                  <Heatmap
                    testId="gate-heatmap"
                    values={d.gates[layer]!}
                    T={d.T}
                    units={d.H}
                    stride={d.A * d.H}
                    offset={Math.min(st.gate, gates.length - 1) * d.H}
                    diverging={
                      gates[st.gate]?.startsWith('g') || gates[st.gate]?.startsWith('n') ? true : false
                    }
                    chars={chars}
                    selected={st.unit}
                    onSelect={(unit) => inspectActions.select({ unit })}
                  />
                </div>
              )}
              {st.saturation.length > 1 && <SaturationChart />}
            </div>
          )}
          {tab === 'weights' && gates.length > 0 && (
            <div className="row">
              <span className="muted small">Gate</span>
              <GateSelect gates={gates} gate={st.gate} />
            </div>
          )}
          {tab === 'weights' && st.weights && (
            <WeightsView w={st.weights} H={d.H} gates={gates} gate={st.gate} history={st.weightNorms} />
          )}
          {tab === 'neuron' && (
            <NeuronView
              h={d.h[layer]!}
              T={d.T}
              H={d.H}
              chars={chars}
              unit={st.unit}
              onSelect={(unit) => inspectActions.select({ unit })}
            />
          )}
        </>
      )}
      {tab === 'gradients' && <GradThroughTimeChart height={200} />}
    </section>
  );
}

/** The unrolled graph over the last (up to) 16 characters of the probe, top layer. */
function Unrolled(p: {
  d: Inspection;
  chars: string[];
  vocab: string[];
  lstm: boolean;
  seqLen: number;
  version: number;
}) {
  const { d, chars, vocab } = p;
  const K = Math.min(16, d.T);
  const L = d.h.length;
  const V = vocab.length;
  const from = d.T - K;
  const predicted = Array.from({ length: K }, (_, k) => {
    const row = d.logp.subarray((from + k) * V, (from + k + 1) * V);
    let best = 0;
    for (let v = 1; v < V; v++) if (row[v]! > row[best]!) best = v;
    return vocab[best]!;
  });
  const last = live.last();
  const dh = last?.dhNorms[L - 1] ?? [];
  const grads = Array.from({ length: K }, (_, k) => dh[dh.length - K + k] ?? 0);
  return (
    <UnrolledGraph
      chars={chars.slice(from)}
      states={d.h[L - 1]!.subarray(from * d.H)}
      H={d.H}
      predicted={predicted}
      grads={grads}
      lstm={p.lstm}
      seqLen={p.seqLen}
      version={p.version}
    />
  );
}

/** Share of saturated gate values (< 0.1 or > 0.9) per layer at each snapshot. */
function SaturationChart() {
  const history = useInspectStore((s) => s.saturation);
  const read = useCallback((): Series[] => {
    const colors = [PALETTE.blue, PALETTE.orange, PALETTE.green, PALETTE.purple];
    const layers = history.at(-1)?.saturated.length ?? 0;
    return Array.from({ length: layers }, (_, l) => ({
      name: `layer ${l + 1}`,
      color: colors[l]!,
      points: history.map((h) => [h.step, 100 * h.saturated[l]!] as [number, number]),
    }));
  }, [history]);
  useEffect(() => {
    live.version++;
  }, [history]);
  return (
    <SeriesChart
      testId="gate-saturation"
      title="Saturated gates (< 0.1 or > 0.9)"
      yLabel="% of gate values"
      read={read}
      height={160}
    />
  );
}
