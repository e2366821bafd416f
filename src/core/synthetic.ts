// Synthetic teaching corpora, generated (never downloaded): each is small, seeded, and chosen to show one
// thing about recurrent networks. Same id, seed and length ⇒ the same text, so a preset link reproduces a run.
import { Rng } from './rng';

export interface SyntheticTask {
  id: string;
  title: string;
  /** What training on it shows, in a sentence or two for the preset picker and the docs. */
  shows: string;
  generate(seed: number, chars: number): string;
}

/** Lines produced by `line` until the text reaches `chars` (whole lines only, at least one). */
function lines(seed: number, chars: number, line: (rng: Rng, i: number) => string): string {
  const rng = new Rng(seed);
  let out = '';
  for (let i = 0; out.length < chars; i++) out += line(rng, i) + '\n';
  return out;
}

const letters = 'abcdefgh';

export const SYNTHETIC_TASKS: readonly SyntheticTask[] = [
  {
    id: 'alternating',
    title: 'Alternating patterns',
    shows:
      'Short repeating motifs (ab, aab, abcabc) per line: every cell learns them within a few hundred steps — a first look at the loss falling to near zero and at sampling reproducing the motif.',
    generate: (seed, chars) =>
      lines(seed, chars, (rng) => {
        const motif = ['ab', 'aab', 'abc', 'abba', 'aabb'][rng.int(5)]!;
        return motif.repeat(2 + rng.int(6));
      }),
  },
  {
    id: 'counting',
    title: 'Counting',
    shows:
      'Consecutive numbers, one per line, from a random start: the network must learn the carry (9 → 10, 199 → 200), which needs memory of the previous line — watch the error concentrate on carry digits.',
    generate: (seed, chars) => {
      const rng = new Rng(seed);
      let out = '';
      while (out.length < chars) {
        let n = rng.int(900);
        for (let k = 0; k < 20 && out.length < chars; k++) out += `${n++}\n`;
      }
      return out;
    },
  },
  {
    id: 'brackets',
    title: 'Nested brackets',
    shows:
      'Balanced bracket strings (Dyck words) of depth up to 6: predicting the closing bracket and the end of line needs a counter — the hidden-state view shows units that track the nesting depth.',
    generate: (seed, chars) =>
      lines(seed, chars, (rng) => {
        let s = '';
        const stack: string[] = [];
        const len = 8 + 2 * rng.int(12);
        while (s.length + stack.length < len || stack.length) {
          const open =
            stack.length < 6 && s.length + stack.length < len && (stack.length === 0 || rng.next() < 0.55);
          if (open) {
            const k = rng.int(2);
            s += '(['[k];
            stack.push(')]'[k]!);
          } else s += stack.pop();
        }
        return s;
      }),
  },
  {
    id: 'copy',
    title: 'Copy after a delay',
    shows:
      'A random 6-letter key, 24 dots, then the key again: the second copy is predictable only by remembering the key across the delay. LSTM and GRU learn it; a vanilla RNN’s gradients vanish over the gap and it stays at chance on the copy — compare the gradient-through-time view.',
    generate: (seed, chars) =>
      lines(seed, chars, (rng) => {
        const key = Array.from({ length: 6 }, () => letters[rng.int(letters.length)]).join('');
        return `${key}${'.'.repeat(24)}${key}`;
      }),
  },
  {
    id: 'grammar',
    title: 'A tiny grammar',
    shows:
      'Sentences from a small context-free grammar (subject–verb agreement across a relative clause): the network learns words, spaces and agreement; samples show which rules it has picked up.',
    generate: (seed, chars) => {
      const pick = (rng: Rng, xs: readonly string[]) => xs[rng.int(xs.length)]!;
      const nouns = [
        ['cat', 'cats'],
        ['dog', 'dogs'],
        ['bird', 'birds'],
        ['child', 'children'],
      ] as const;
      const verbs = [
        ['sees', 'see'],
        ['likes', 'like'],
        ['chases', 'chase'],
      ] as const;
      const np = (rng: Rng, plural: boolean) =>
        `the ${pick(
          rng,
          nouns.map((n) => n[+plural]!),
        )}`;
      return lines(seed, chars, (rng) => {
        const plural = rng.next() < 0.5;
        let subject = np(rng, plural);
        if (rng.next() < 0.4)
          subject += ` that ${pick(
            rng,
            verbs.map((v) => v[+plural]!),
          )} ${np(rng, rng.next() < 0.5)}`;
        return `${subject} ${pick(
          rng,
          verbs.map((v) => v[+plural]!),
        )} ${np(rng, rng.next() < 0.5)} .`;
      });
    },
  },
];

export function syntheticTask(id: string): SyntheticTask {
  const t = SYNTHETIC_TASKS.find((x) => x.id === id);
  if (!t)
    throw new Error(
      `Unknown synthetic corpus "${id}"; choose one of ${SYNTHETIC_TASKS.map((x) => x.id).join(', ')}.`,
    );
  return t;
}
