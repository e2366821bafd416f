// The finder beside a unit view (NeuronView for the LM's probe text, TaskNeurons for a task's examples): a
// feature to look for, the five units whose activation correlates best with it, and a click to show one.
import { pearson } from '../../core/stats';

/** The `n` candidates whose series correlate best with `target` (by |r|, strongest first). */
export function rankUnits<C>(
  target: readonly number[],
  candidates: readonly C[],
  series: (c: C) => number[],
  n = 5,
): (C & { r: number })[] {
  return candidates
    .map((c) => ({ ...c, r: pearson(target, series(c)) }))
    .sort((a, b) => Math.abs(b.r) - Math.abs(a.r))
    .slice(0, n);
}

export interface FoundUnit {
  key: string;
  label: string;
  r: number;
  current: boolean;
  select(): void;
}

interface Props {
  testId: string;
  features: readonly { id: string; label: string }[];
  feature: string;
  onFeature: (id: string) => void;
  found: FoundUnit[];
  hint: string;
  /** The feature picker's test id. */
  pickerId?: string;
}

export function UnitFinder({ testId, features, feature, onFeature, found, hint, pickerId }: Props) {
  return (
    <div className="neuron-finder" data-testid={testId}>
      <label className="field inline">
        <span>Units that track</span>
        <select value={feature} onChange={(e) => onFeature(e.target.value)} data-testid={pickerId}>
          {features.map((f) => (
            <option key={f.id} value={f.id}>
              {f.label}
            </option>
          ))}
        </select>
      </label>
      <ol>
        {found.map((u) => (
          <li key={u.key}>
            <button type="button" className={`link${u.current ? ' current' : ''}`} onClick={u.select}>
              {u.label}
            </button>{' '}
            <span className="mono">r = {u.r.toFixed(2)}</span>
          </li>
        ))}
      </ol>
      <p className="hint">{hint}</p>
    </div>
  );
}
