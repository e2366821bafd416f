// The unit finder of a task run: ranks the top layer's units (both directions of a bidirectional model) by how
// well their activation follows a feature of the task over the first few validation examples — the bracket
// depth, a latch at the first x, the characters still to write (core/taskFeatures.ts) — and colours those
// examples by the chosen unit, one line each: the counter or the latch the model built, made visible.
import { useMemo, useState } from 'react';
import type { UnitFeature } from '../../core/taskFeatures';
import type { ProbeStates } from '../../state/runStore';
import { colourFor } from './Heatmap';
import { UnitFinder, rankUnits } from './UnitFinder';

type Direction = 'forward' | 'reverse';

interface Props {
  st: ProbeStates;
  features: UnitFeature[];
  unit: number;
  onSelect: (unit: number) => void;
}

const shown = (label: string) => (label === 'START' ? '▸' : label === ' ' ? '␣' : label);

export function TaskNeurons({ st, features, unit, onSelect }: Props) {
  const [featureId, setFeatureId] = useState(features[0]!.id);
  const [dir, setDir] = useState<Direction>('forward');
  const feature = features.find((f) => f.id === featureId) ?? features[0]!;
  // A bidirectional model's lines carry the reverse layer's states too.
  const bi = st.lines[0]!.reverse !== undefined;
  const ranked = useMemo(() => {
    const dirs: Direction[] = bi ? ['forward', 'reverse'] : ['forward'];
    const units = dirs.flatMap((dir) => Array.from({ length: st.units }, (_, j) => ({ dir, j })));
    return rankUnits(
      st.lines.flatMap((l) => feature.of(l.labels)),
      units,
      ({ dir, j }) =>
        st.lines.flatMap((l) =>
          Array.from({ length: l.labels.length }, (_, t) => l[dir]![t * st.units + j]!),
        ),
    );
  }, [feature, st, bi]);
  const j = Math.min(unit, st.units - 1);
  const d: Direction = bi ? dir : 'forward';
  return (
    <div className="neuron task-neurons" data-testid="task-neurons">
      <div>
        <p className="small muted">
          Unit {j}
          {bi ? ` of the ${d} layer` : ''} over {st.lines.length} validation examples, a line each: blue
          negative, vermillion positive.
        </p>
        <div className="neuron-text" data-testid="task-neuron-lines">
          {st.lines.map((l, k) => (
            <div key={k}>
              {l.labels.map((c, t) => {
                const v = l[d]![t * st.units + j]!;
                return (
                  <span key={t} style={{ background: colourFor(v, true) }} title={`${c}: ${v.toFixed(3)}`}>
                    {shown(c)}
                  </span>
                );
              })}
            </div>
          ))}
        </div>
      </div>
      <UnitFinder
        testId="task-neuron-finder"
        pickerId="task-neuron-feature"
        features={features}
        feature={feature.id}
        onFeature={setFeatureId}
        found={ranked.map((u) => ({
          key: `${u.dir}${u.j}`,
          label: `unit ${u.j}${bi ? ` (${u.dir})` : ''}`,
          r: u.r,
          current: u.j === j && u.dir === d,
          select: () => {
            setDir(u.dir);
            onSelect(u.j);
          },
        }))}
        hint="Correlation over these examples’ steps. Training finds such units on its own; early on none tracks anything well."
      />
    </div>
  );
}
