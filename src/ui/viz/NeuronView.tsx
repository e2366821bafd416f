// One unit on the text (Karpathy, Johnson & Fei-Fei 2015): each character coloured by the unit's activation,
// and a finder that ranks units by correlation with simple features of the text and selects them.
import { useMemo, useState } from 'react';
import { colourFor } from './Heatmap';
import { UnitFinder, rankUnits } from './UnitFinder';

/** Per-character features the finder correlates units with. */
const FEATURES: { id: string; label: string; of: (chars: string[]) => number[] }[] = [
  {
    id: 'quote',
    label: 'inside quotes or brackets',
    of: (cs) => {
      let depth = 0;
      let quote = false;
      return cs.map((c) => {
        if (c === '"') quote = !quote;
        if ('([{'.includes(c)) depth++;
        const inside = quote || depth > 0 ? 1 : 0;
        if (')]}'.includes(c)) depth = Math.max(0, depth - 1);
        return inside;
      });
    },
  },
  {
    id: 'position',
    label: 'position in the line',
    of: (cs) => {
      let k = 0;
      return cs.map((c) => (c === '\n' ? (k = 0) : ++k));
    },
  },
  { id: 'space', label: 'after a space', of: (cs) => cs.map((_, i) => (i > 0 && cs[i - 1] === ' ' ? 1 : 0)) },
  { id: 'vowel', label: 'vowel', of: (cs) => cs.map((c) => (/[aeiouAEIOU]/.test(c) ? 1 : 0)) },
  { id: 'digit', label: 'digit', of: (cs) => cs.map((c) => (/\d/.test(c) ? 1 : 0)) },
];

interface Props {
  h: Float32Array;
  T: number;
  H: number;
  chars: string[];
  unit: number;
  onSelect: (unit: number) => void;
}

export function NeuronView({ h, T, H, chars, unit, onSelect }: Props) {
  const [feature, setFeature] = useState('space');
  const ranked = useMemo(() => {
    const f = FEATURES.find((x) => x.id === feature)!.of(chars);
    const units = Array.from({ length: H }, (_, j) => ({ j }));
    return rankUnits(f, units, ({ j }) => Array.from({ length: T }, (_, t) => h[t * H + j]!));
  }, [feature, chars, h, T, H]);
  return (
    <div className="neuron">
      <div
        className="neuron-text"
        data-testid="neuron-text"
        aria-label={`the probe text coloured by unit ${unit}`}
      >
        {chars.map((c, t) => {
          const v = h[t * H + unit]!;
          return (
            <span key={t} style={{ background: colourFor(v, true) }} title={`${v.toFixed(3)}`}>
              {c === '\n' ? '⏎\n' : c}
            </span>
          );
        })}
      </div>
      <UnitFinder
        testId="neuron-finder"
        features={FEATURES}
        feature={feature}
        onFeature={setFeature}
        found={ranked.map((u) => ({
          key: String(u.j),
          label: `unit ${u.j}`,
          r: u.r,
          current: u.j === unit,
          select: () => onSelect(u.j),
        }))}
        hint="Correlation over the probe text; a longer, more varied probe gives steadier rankings."
      />
    </div>
  );
}
