// What a unit of a task model might be tracking, step by step over one example, for the playground's unit
// finder (ui/viz/TaskNeurons.tsx): where it counts, latches or remembers — a bracket-depth counter in the
// balanced-brackets classifier, a latch that switches on at the first x, a countdown of characters still to
// write in the reverser — the unit's activation correlates with the feature over the validation examples.
// `labels` are what each step read: the input's characters and, for an encoder–decoder, START and the
// teacher-forced output (engine/taskProbe.ts).
import type { TaskKind } from './tasks';

export interface UnitFeature {
  id: string;
  label: string;
  /** The feature at each step of one example. */
  of(labels: readonly string[]): number[];
}

/** Steps [0, START) read the input, (START, end) the output; an example without START is all input. */
function halves(labels: readonly string[]): { start: number; end: number } {
  const start = labels.indexOf('START');
  return { start: start < 0 ? labels.length : start, end: labels.length };
}

/** A running total of `inc` over the steps, the step's own character counted. */
const running =
  (inc: (c: string) => number) =>
  (labels: readonly string[]): number[] => {
    let n = 0;
    return labels.map((c) => (n += inc(c)));
  };

const GENERIC: UnitFeature[] = [
  {
    id: 'position',
    label: 'position (counting up)',
    of: (labels) => {
      const { start } = halves(labels);
      return labels.map((_, t) => (t < start ? t : t - start));
    },
  },
  {
    id: 'left',
    label: 'steps left (counting down)',
    of: (labels) => {
      const { start, end } = halves(labels);
      return labels.map((_, t) => (t < start ? start - 1 - t : end - 1 - t));
    },
  },
];

const OUTPUT: UnitFeature = {
  id: 'output',
  label: 'the decoder’s half (from START)',
  of: (labels) => labels.map((_, t) => +(t >= halves(labels).start)),
};

const depth: UnitFeature = {
  id: 'depth',
  label: 'bracket depth',
  of: running((c) => ('([{'.includes(c) ? 1 : ')]}'.includes(c) ? -1 : 0)),
};

const tally = (d: string): UnitFeature => ({
  id: `tally${d}`,
  label: `${d}s read so far`,
  of: running((c) => +(c === d)),
});

/** By generated task id (core/tasks.ts, core/seqTasks.ts). */
const BY_TASK: Record<string, UnitFeature[]> = {
  contains: [
    {
      id: 'seen',
      label: 'an x read so far',
      of: (ls) => running((c) => +(c === 'x'))(ls).map((n) => +(n > 0)),
    },
  ],
  majority: ['0', '1', '2'].map(tally),
  parity: [
    {
      id: 'odd',
      label: 'odd number of 1s so far',
      of: (ls) => running((c) => +(c === '1'))(ls).map((n) => n % 2),
    },
    tally('1'),
  ],
  balanced: [depth],
  quotes: [
    {
      id: 'quoted',
      label: 'inside quotes',
      of: (ls) => running((c) => +(c === '"'))(ls).map((n, t) => +(n % 2 === 1 && ls[t] !== '"')),
    },
  ],
  vowels: [{ id: 'vowel', label: 'a vowel', of: (ls) => ls.map((c) => +/^[aeiou]$/.test(c)) }],
  ahead: [
    {
      id: 'ahead',
      label: 'an x still ahead',
      of: (ls) => {
        const last = ls.lastIndexOf('x');
        return ls.map((_, t) => +(t < last));
      },
    },
  ],
  depth: [depth],
};

/**
 * The features worth looking for in a task's units: the task's own (what solving it must keep track of)
 * first, then position and steps left — and, for an encoder–decoder, which half of the window a step is in.
 */
export function taskFeatures(task: string, kind: TaskKind): UnitFeature[] {
  const own = BY_TASK[task] ?? [];
  return [...own, ...GENERIC, ...(kind === 'seq2seq' || kind === 'generate' ? [OUTPUT] : [])];
}
