// A corpus made ready for training: checked (empty, binary or too short texts get a clear message), its
// code-point vocabulary built from the whole text (so validation characters are known), and split into a
// training head and a validation tail (char-rnn's contiguous split, 90/10 by default).
import { MAX_VOCAB, Vocab } from './vocab';

export interface Corpus {
  vocab: Vocab;
  train: Uint32Array;
  val: Uint32Array;
  /** Code points in the whole text. */
  chars: number;
}

export const DEFAULT_VAL_FRACTION = 0.1;

/** How often each character occurs (code points). */
export function charCounts(text: string, into = new Map<string, number>()): Map<string, number> {
  for (const ch of text) into.set(ch, (into.get(ch) ?? 0) + 1);
  return into;
}

/** Problems that make a text with these character counts unusable as a corpus; empty when it is fine. */
export function countProblems(counts: Map<string, number>): string[] {
  let n = 0;
  let control = 0;
  let space = 0;
  for (const [ch, k] of counts) {
    n += k;
    const c = ch.codePointAt(0)!;
    if (c < 32 && c !== 9 && c !== 10 && c !== 13) control += k;
    if (/\s/u.test(ch)) space += k;
  }
  const replacement = counts.get('\uFFFD') ?? 0;
  if (n === 0) return ['The corpus is empty: paste or load some text.'];
  if (space === n) return ['The corpus contains only whitespace.'];
  if (counts.has('\0')) return ['The corpus contains NUL bytes: it looks like a binary file, not text.'];
  if (replacement > 0.01 * n)
    return [
      `The corpus has ${replacement} undecodable characters (U+FFFD): it is binary or not UTF-8 text. Save it as UTF-8.`,
    ];
  if (control > 0.01 * n)
    return [`The corpus has ${control} control characters: it looks like a binary file.`];
  if (n < 3) return [`The corpus has ${n} character${n === 1 ? '' : 's'}; it needs at least 3.`];
  return [];
}

/** Problems that make a text unusable as a corpus; empty when it is fine. */
export function checkCorpusText(text: string): string[] {
  return countProblems(charCounts(text));
}

/** Why a corpus with `distinct` characters needs a vocabulary cap (or a cap is invalid); null when fine. */
export function vocabProblem(distinct: number, maxVocab?: number): string | null {
  if (
    maxVocab !== undefined &&
    maxVocab !== 0 &&
    !(Number.isInteger(maxVocab) && maxVocab >= 2 && maxVocab <= MAX_VOCAB)
  )
    return `The vocabulary cap must be a whole number from 2 to ${MAX_VOCAB} (got ${maxVocab}).`;
  if (distinct > MAX_VOCAB && !maxVocab)
    return `The corpus has ${distinct.toLocaleString('en-US')} distinct characters; the vocabulary limit is ${MAX_VOCAB.toLocaleString('en-US')}. Cap the vocabulary (at most ${MAX_VOCAB}) to map the rarest characters to one unknown character, \uFFFD.`;
  return null;
}

/**
 * Checks, encodes and splits `text`; throws an Error with the first problem. `maxVocab` (0 or undefined: no
 * cap) keeps that many distinct characters at most, the rarest sharing the unknown token.
 */
export function prepareCorpus(text: string, valFraction = DEFAULT_VAL_FRACTION, maxVocab?: number): Corpus {
  const problems = checkCorpusText(text);
  if (!(valFraction >= 0 && valFraction < 1))
    problems.push(`The validation fraction must be at least 0 and below 1 (got ${valFraction}).`);
  if (problems.length) throw new Error(problems.join(' '));
  const vp = vocabProblem(new Set(text).size, maxVocab);
  if (vp) throw new Error(vp);
  const vocab = Vocab.fromText(text, maxVocab || undefined);
  if (vocab.size < 2) throw new Error('The corpus uses a single character: there is nothing to predict.');
  const tokens = vocab.encode(text);
  // At least 2 characters on each side when there is a validation split at all.
  const nVal = valFraction === 0 ? 0 : Math.max(2, Math.round(tokens.length * valFraction));
  const cut = Math.max(2, tokens.length - nVal);
  return { vocab, train: tokens.subarray(0, cut), val: tokens.subarray(cut), chars: tokens.length };
}
