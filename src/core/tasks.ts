// Sequence tasks beyond next-character prediction (issue 9): many-to-one classification (a sequence → one
// label, loss at its last step), per-character tagging (many-to-many aligned, a tag per character), and the
// encoder–decoder shapes: sequence to sequence and one to many (core/seqTasks.ts). Generated teaching tasks,
// seeded, each saying what it shows; and the "bring your own" format, one example per line:
// `input<TAB>label` (classify), `input<TAB>tags` with one tag per input character (tag), `input<TAB>output`.
import { Rng, pick, word } from './rng';
import { SEQ_TASKS } from './seqTasks';

/** Validation every this many steps at most for tasks: an evaluation is a few forward batches. */
export const taskValEvery = (valEvery: number): number => Math.min(valEvery, 20);

export type TaskKind = 'classify' | 'tag' | 'seq2seq' | 'generate';
export const TASK_KINDS: readonly TaskKind[] = ['classify', 'tag', 'seq2seq', 'generate'];

/** Kinds whose model is an encoder–decoder: the input is encoded, the output written token by token. */
export function isEncoderDecoder(kind: TaskKind): boolean {
  return kind === 'seq2seq' || kind === 'generate';
}

/**
 * The model switch a task kind offers (one layer when on): attention for an encoder–decoder, a reverse layer
 * (bidirectional) for classify and tag. The playground shows it, links carry it, Compare flips it.
 */
export type TaskSwitch = 'attention' | 'bidirectional';

export function taskSwitch(kind: TaskKind): TaskSwitch {
  return isEncoderDecoder(kind) ? 'attention' : 'bidirectional';
}

export interface Example {
  input: string;
  /**
   * classify: the label; tag: one tag character per input code point; seq2seq: the output string;
   * generate: the output string (the input is one label).
   */
  target: string;
}

export interface GeneratedTask {
  id: string;
  kind: TaskKind;
  title: string;
  /** What training on it teaches. */
  shows: string;
  generate(seed: number, count: number): Example[];
}

function bracketString(rng: Rng, balanced: boolean): string {
  const pairs = 1 + rng.int(6);
  let s = '';
  const open: string[] = [];
  let left = pairs;
  while (left > 0 || open.length) {
    if (left > 0 && (open.length === 0 || rng.next() < 0.5)) {
      const b = pick(rng, '([');
      s += b;
      open.push(b === '(' ? ')' : ']');
      left--;
    } else s += open.pop()!;
  }
  if (balanced) return s;
  // Break it in one of three ways: a swapped closer, a dropped character, or a swapped pair of characters.
  const i = rng.int(s.length);
  const kind = rng.int(3);
  const broken =
    kind === 0
      ? s.slice(0, i) + (s[i] === ')' ? ']' : s[i] === ']' ? ')' : s[i] === '(' ? ']' : ')') + s.slice(i + 1)
      : kind === 1
        ? s.slice(0, i) + s.slice(i + 1)
        : s.slice(0, i) + s.slice(i + 1, i + 2) + s[i] + s.slice(i + 2);
  return isBalanced(broken) ? bracketString(rng, false) : broken;
}

export function isBalanced(s: string): boolean {
  const stack: string[] = [];
  for (const c of s) {
    if (c === '(' || c === '[') stack.push(c === '(' ? ')' : ']');
    else if (stack.pop() !== c) return false;
  }
  return stack.length === 0 && s.length > 0;
}

export const GENERATED_TASKS: readonly GeneratedTask[] = [
  {
    id: 'contains',
    kind: 'classify',
    title: 'Does the line contain an x?',
    shows:
      'The simplest memory: one bit that switches on at an x and must survive to the end of the line. Every cell learns it; watch the hidden state latch.',
    generate(seed, count) {
      const rng = new Rng(seed);
      return Array.from({ length: count }, () => {
        let s = word(rng, 'abcdefgh', 6, 16);
        const yes = rng.next() < 0.5;
        if (yes) {
          const i = rng.int(s.length);
          s = s.slice(0, i) + 'x' + s.slice(i + 1);
        }
        return { input: s, target: yes ? 'yes' : 'no' };
      });
    },
  },
  {
    id: 'majority',
    kind: 'classify',
    title: 'Majority digit',
    shows:
      'Counting: which of 0, 1, 2 occurs most often in the line. The state has to keep three running tallies.',
    generate(seed, count) {
      const rng = new Rng(seed);
      const out: Example[] = [];
      while (out.length < count) {
        const s = word(rng, '012', 5, 15);
        const n = [0, 1, 2].map((d) => [...s].filter((c) => c === String(d)).length);
        const top = Math.max(...n);
        if (n.filter((k) => k === top).length === 1) out.push({ input: s, target: String(n.indexOf(top)) });
      }
      return out;
    },
  },
  {
    id: 'parity',
    kind: 'classify',
    title: 'Parity of a bit string',
    shows:
      'Is the number of 1s even or odd? One bit of memory that every 1 flips: easy to state, hard to learn by gradient — a long string gives no partial credit.',
    generate(seed, count) {
      const rng = new Rng(seed);
      return Array.from({ length: count }, () => {
        const s = word(rng, '01', 2, 12);
        return { input: s, target: [...s].filter((c) => c === '1').length % 2 ? 'odd' : 'even' };
      });
    },
  },
  {
    id: 'balanced',
    kind: 'classify',
    title: 'Balanced brackets',
    shows:
      'Nesting: ( and [ must close in the right order. A stack in disguise — the hidden state has to remember what is open, and how deep.',
    generate(seed, count) {
      const rng = new Rng(seed);
      return Array.from({ length: count }, () => {
        const yes = rng.next() < 0.5;
        return { input: bracketString(rng, yes), target: yes ? 'yes' : 'no' };
      });
    },
  },
  {
    id: 'quotes',
    kind: 'tag',
    title: 'Inside quotes?',
    shows:
      'Per-character tagging with memory: a character is I inside "quotes" and O outside. The tag depends on how many quote marks came before.',
    generate(seed, count) {
      const rng = new Rng(seed);
      return Array.from({ length: count }, () => {
        const parts = Array.from({ length: 2 + rng.int(3) }, () =>
          rng.next() < 0.4 ? `"${word(rng, 'abcdefg ', 1, 6)}"` : word(rng, 'abcdefg ', 1, 6),
        );
        const input = parts.join(' ');
        let inside = false;
        let tags = '';
        for (const c of input) {
          if (c === '"') {
            tags += 'O';
            inside = !inside;
          } else tags += inside ? 'I' : 'O';
        }
        return { input, target: tags };
      });
    },
  },
  {
    id: 'vowels',
    kind: 'tag',
    title: 'Vowel or consonant',
    shows:
      'Tagging with no memory at all: V for a vowel, C for a consonant, _ otherwise. A baseline — the answer is in the current character.',
    generate(seed, count) {
      const rng = new Rng(seed);
      return Array.from({ length: count }, () => {
        const input = word(rng, 'abcdefghijklmnopqrstuvwxyz  ', 4, 20).trim() || 'a';
        const target = [...input]
          .map((c) => (/[aeiou]/.test(c) ? 'V' : /[a-z]/.test(c) ? 'C' : '_'))
          .join('');
        return { input, target };
      });
    },
  },
  {
    id: 'ahead',
    kind: 'tag',
    title: 'Is there an x ahead?',
    shows:
      'The answer lies in the future: each character is Y when an x comes later in the line. A forward RNN can only guess before it gets there; a bidirectional one also reads the line backwards and knows.',
    generate(seed, count) {
      const rng = new Rng(seed);
      return Array.from({ length: count }, () => {
        const input = word(rng, 'abcdefx', 4, 14);
        const last = input.lastIndexOf('x');
        return { input, target: [...input].map((_, i) => (i < last ? 'Y' : 'N')).join('') };
      });
    },
  },
  ...SEQ_TASKS,
];

export function generatedTask(id: string): GeneratedTask {
  const t = GENERATED_TASKS.find((x) => x.id === id);
  if (!t)
    throw new Error(
      `Unknown generated task "${id}". Choose one of: ${GENERATED_TASKS.map((x) => `${x.id} (${x.kind})`).join(', ')}.`,
    );
  return t;
}

/** Longest input a task example may have (the BPTT window holds a whole sequence). */
export const MAX_TASK_LENGTH = 256;

/**
 * Parses "bring your own" examples: one per line, `input<TAB>label` (classify) or `input<TAB>tags` (tag, one
 * tag character per input character). Throws an Error naming the first few bad lines.
 */
export function parseExamples(text: string, kind: TaskKind): Example[] {
  const out: Example[] = [];
  const problems: string[] = [];
  text.split(/\r?\n/).forEach((line, i) => {
    if (!line.trim()) return;
    const cells = line.split('\t');
    const n = i + 1;
    const what = kind === 'tag' ? 'tags' : kind === 'classify' ? 'label' : 'output';
    if (cells.length !== 2) {
      problems.push(`line ${n} has ${cells.length - 1} tabs; it needs exactly one (input<TAB>${what})`);
      return;
    }
    const [input, target] = cells as [string, string];
    const len = [...input].length;
    if (len === 0) problems.push(`line ${n} has an empty input`);
    else if (len > MAX_TASK_LENGTH)
      problems.push(`line ${n}'s input has ${len} characters; the limit is ${MAX_TASK_LENGTH}`);
    else if (!target) problems.push(`line ${n} has an empty ${what === 'tags' ? 'tag string' : what}`);
    else if (isEncoderDecoder(kind) && [...target].length > MAX_TASK_LENGTH)
      problems.push(
        `line ${n}'s output has ${[...target].length} characters; the limit is ${MAX_TASK_LENGTH}`,
      );
    else if (isEncoderDecoder(kind) && target.includes(END))
      problems.push(`line ${n}'s output holds a NUL character, which marks the end of an output`);
    else if (kind === 'tag' && [...target].length !== len)
      problems.push(`line ${n} has ${[...target].length} tags for ${len} input characters`);
    else out.push({ input, target });
  });
  if (problems.length)
    throw new Error(
      `${problems.length} bad line${problems.length === 1 ? '' : 's'}: ${problems.slice(0, 3).join('; ')}${problems.length > 3 ? '; …' : ''}.`,
    );
  if (out.length < 4) throw new Error(`Only ${out.length} examples: a task needs at least 4.`);
  return out;
}

/** Begins (as a decoder input) and ends (as a prediction) every output of an encoder–decoder task. */
export const END = '\u0000';

/**
 * The classes of a task: sorted labels (classify), sorted tag characters (tag), or END and the sorted output
 * characters (encoder–decoder: the decoder's tokens and its head's rows).
 */
export function taskClasses(examples: readonly Example[], kind: TaskKind): string[] {
  const set = new Set<string>();
  for (const e of examples) {
    if (kind === 'classify') set.add(e.target);
    else for (const c of e.target) set.add(c);
  }
  const sorted = [...set].sort();
  return isEncoderDecoder(kind) ? [END, ...sorted] : sorted;
}

/** Where a task's examples come from: a generated task (seeded) or the user's input<TAB>target lines. */
export interface TaskSource {
  kind: TaskKind;
  /** A GeneratedTask id of this kind. */
  generated?: string;
  /** Examples to generate (default 2000). */
  count?: number;
  /** "Bring your own" lines, used when `generated` is absent. */
  text?: string;
}

export const DEFAULT_TASK_EXAMPLES = 2000;

/** The examples of a source; throws an Error saying what is wrong with it. */
export function examplesFor(source: TaskSource, seed: number): Example[] {
  if (source.generated) {
    const task = generatedTask(source.generated);
    if (task.kind !== source.kind)
      throw new Error(`${task.id} is a ${task.kind} task; use --task ${task.kind}`);
    return task.generate(seed, source.count ?? DEFAULT_TASK_EXAMPLES);
  }
  return parseExamples(source.text ?? '', source.kind);
}
