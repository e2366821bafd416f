import { describe, expect, it } from 'vitest';
import { checkCorpusText, prepareCorpus, vocabProblem } from './corpus';
import { SYNTHETIC_TASKS, syntheticTask } from './synthetic';

describe('prepareCorpus', () => {
  it('splits 90/10 by default, with the vocabulary of the whole text (emoji and CJK as one character)', () => {
    const text = 'ab😀中'.repeat(25);
    const c = prepareCorpus(text);
    expect(c.chars).toBe(100);
    expect(c.train.length).toBe(90);
    expect(c.val.length).toBe(10);
    expect(c.vocab.chars).toEqual(['a', 'b', '中', '😀']);
    expect(c.vocab.decode(c.val)).toBe('😀中ab😀中ab😀中');
    expect(prepareCorpus(text, 0.25).val.length).toBe(25);
  });

  it('refuses empty, whitespace, binary and one-character texts, saying why', () => {
    expect(checkCorpusText('')[0]).toMatch(/empty/);
    expect(checkCorpusText(' \n\t ')[0]).toMatch(/whitespace/);
    expect(checkCorpusText('abc\0def')[0]).toMatch(/binary/);
    expect(checkCorpusText('\uFFFD\uFFFDab'.repeat(10))[0]).toMatch(/UTF-8/);
    expect(checkCorpusText('\x01\x02\x03abc')[0]).toMatch(/control/);
    expect(checkCorpusText('Hello, world.\n')).toEqual([]);
    expect(() => prepareCorpus('aaaaaaa')).toThrow(/single character/);
    expect(() => prepareCorpus('abcabc', 1)).toThrow(/validation fraction/);
  });
});

describe('vocabulary limit', () => {
  // 5000 distinct CJK characters (U+4E00…): more than MAX_VOCAB; the first 100 occur twice, so they are kept.
  const many = Array.from({ length: 5000 }, (_, i) => String.fromCodePoint(0x4e00 + i)).join('');
  const text = many.slice(0, 100).repeat(2) + many;

  it('refuses a corpus with more distinct characters than the limit, naming both and the way out', () => {
    expect(() => prepareCorpus(text)).toThrow(
      /5,000 distinct characters; the vocabulary limit is 4,096\. Cap the vocabulary/,
    );
    expect(vocabProblem(5000)).toMatch(/limit is 4,096/);
    expect(vocabProblem(5000, 4096)).toBeNull();
    expect(vocabProblem(50, 1)).toMatch(/from 2 to 4096/);
    expect(vocabProblem(50, 5000)).toMatch(/from 2 to 4096/);
  });

  it('with a cap, maps the rarest characters to U+FFFD and trains on the rest', () => {
    const c = prepareCorpus(text, 0.1, 1000);
    expect(c.vocab.size).toBe(1000);
    expect(c.vocab.capped).toBe(true);
    const unk = c.vocab.unknownId!;
    const all = [...c.train, ...c.val];
    expect(all.length).toBe([...text].length);
    // The 100 repeated characters and the 899 lowest code points among the singles keep their own ids.
    expect(c.vocab.chars.includes(String.fromCodePoint(0x4e00 + 998))).toBe(true);
    expect(all.filter((t) => t === unk).length).toBe(5000 - 999);
  });
});

describe('synthetic corpora', () => {
  it('are seeded, sized, and documented', () => {
    for (const t of SYNTHETIC_TASKS) {
      const a = t.generate(1, 2000);
      expect(a.length, t.id).toBeGreaterThanOrEqual(2000);
      expect(a.length, t.id).toBeLessThan(2200);
      expect(t.generate(1, 2000)).toBe(a);
      expect(t.generate(2, 2000)).not.toBe(a);
      expect(t.shows.length).toBeGreaterThan(40);
      expect(checkCorpusText(a)).toEqual([]);
    }
    expect(() => syntheticTask('nope')).toThrow(/alternating, counting/);
  });

  it('brackets balance on every line; copy lines repeat their key after the delay', () => {
    for (const line of syntheticTask('brackets').generate(3, 3000).trim().split('\n')) {
      const stack: string[] = [];
      for (const ch of line) {
        if (ch === '(' || ch === '[') stack.push(ch === '(' ? ')' : ']');
        else expect(stack.pop()).toBe(ch);
      }
      expect(stack).toEqual([]);
    }
    for (const line of syntheticTask('copy').generate(3, 1000).trim().split('\n'))
      expect(line).toMatch(/^([a-h]{6})\.{24}\1$/);
    const counts = syntheticTask('counting').generate(4, 500).trim().split('\n').map(Number);
    expect(counts[1]).toBe(counts[0]! + 1);
  });
});
