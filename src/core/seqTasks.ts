// Generated teaching tasks for the encoder–decoder shapes of issue 9: sequence to sequence (an input string →
// an output string of its own length) and one to many (one label → a sequence). Seeded; each says what it
// shows. The "bring your own" format for both is `input<TAB>output`, one example per line.
import { Rng, word } from './rng';
import type { Example, GeneratedTask } from './tasks';

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
const ONES = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine', 'ten'];
const TEENS = [
  'eleven',
  'twelve',
  'thirteen',
  'fourteen',
  'fifteen',
  'sixteen',
  'seventeen',
  'eighteen',
  'nineteen',
];
const TENS = ['', '', 'twenty', 'thirty', 'forty', 'fifty', 'sixty', 'seventy', 'eighty', 'ninety'];

/** 0…99 in English words, hyphenated as written ("forty-two"). */
export function numberWords(n: number): string {
  if (n <= 10) return ONES[n]!;
  if (n < 20) return TEENS[n - 11]!;
  const t = TENS[Math.floor(n / 10)]!;
  return n % 10 ? `${t}-${ONES[n % 10]}` : t;
}

/** `count` distinct draws of `make` (fewer when the space is smaller), in the order first drawn. */
function distinct(count: number, make: () => Example, tries = count * 20): Example[] {
  const seen = new Map<string, Example>();
  for (let i = 0; i < tries && seen.size < count; i++) {
    const e = make();
    if (!seen.has(e.input)) seen.set(e.input, e);
  }
  return [...seen.values()];
}

export const SEQ_TASKS: readonly GeneratedTask[] = [
  {
    id: 'reverse',
    kind: 'seq2seq',
    title: 'Reverse a string',
    shows:
      'The whole input must fit in the one state the encoder hands over: the first character read is the last written. Accuracy falls with length — the bottleneck attention removes.',
    generate(seed, count) {
      const rng = new Rng(seed);
      return distinct(count, () => {
        const s = word(rng, 'abcdefgh', 3, 9);
        return { input: s, target: [...s].reverse().join('') };
      });
    },
  },
  {
    id: 'sort',
    kind: 'seq2seq',
    title: 'Sort digits',
    shows:
      'Counting, not copying: the decoder writes each digit as often as it occurred, smallest first. The state must hold a tally per digit.',
    generate(seed, count) {
      const rng = new Rng(seed);
      return distinct(count, () => {
        const s = word(rng, '0123456789', 3, 9);
        return { input: s, target: [...s].sort().join('') };
      });
    },
  },
  {
    id: 'dates',
    kind: 'seq2seq',
    title: 'Date format conversion',
    shows:
      'Reordering and a lookup: 2024-03-15 becomes 15 mar 2024. The month number has to be remembered as a word, and the day moved to the front.',
    generate(seed, count) {
      const rng = new Rng(seed);
      return distinct(count, () => {
        const y = 1950 + rng.int(100);
        const m = rng.int(12);
        const d = 1 + rng.int(DAYS[m]!);
        const two = (n: number) => String(n).padStart(2, '0');
        return { input: `${y}-${two(m + 1)}-${two(d)}`, target: `${d} ${MONTHS[m]} ${y}` };
      });
    },
  },
  {
    id: 'cipher',
    kind: 'seq2seq',
    title: 'A tiny cipher (Caesar shift 3)',
    shows:
      'Aligned and memoryless: each letter moves three places (a→d, …, z→c). Easy for any decoder that can see where it is in the input — hard when it must all pass through one state.',
    generate(seed, count) {
      const rng = new Rng(seed);
      const shift = (c: string) => String.fromCharCode(97 + ((c.charCodeAt(0) - 97 + 3) % 26));
      return distinct(count, () => {
        const s = word(rng, 'abcdefghijklmnopqrstuvwxyz', 3, 8);
        return { input: s, target: [...s].map(shift).join('') };
      });
    },
  },
  {
    id: 'words',
    kind: 'generate',
    title: 'A number in words',
    shows:
      'One to many: the number (one token, its own embedding) sets the decoder’s first state, and the decoder writes it out — forty-two. Evaluated on the numbers it trained on: there is nothing unseen to generalise to.',
    generate(_seed, count) {
      return Array.from({ length: Math.min(count, 100) }, (_, n) => ({
        input: String(n),
        target: numberWords(n),
      }));
    },
  },
  {
    id: 'depth',
    kind: 'generate',
    title: 'Brackets of depth k',
    shows:
      'One to many with counting: from k alone, write k opening brackets and then exactly k closing ones. The decoder must count up and back down in its state.',
    generate(_seed, count) {
      return Array.from({ length: Math.min(count, 12) }, (_, i) => ({
        input: String(i + 1),
        target: '('.repeat(i + 1) + ')'.repeat(i + 1),
      }));
    },
  },
];
