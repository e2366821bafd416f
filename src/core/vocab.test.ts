import { describe, expect, it } from 'vitest';
import { StreamBatcher } from './batches';
import { MAX_VOCAB, UNKNOWN, Vocab } from './vocab';

describe('Vocab', () => {
  it('uses code points: an emoji and a CJK character are one token each', () => {
    const v = Vocab.fromText('ba😀中a');
    expect(v.chars).toEqual(['a', 'b', '中', '😀']);
    expect([...v.encode('😀a中')]).toEqual([3, 0, 2]);
    expect(v.decode(v.encode('ba😀中a'))).toBe('ba😀中a');
    expect(() => v.encode('z')).toThrow(/"z" \(U\+007A\)/);
  });

  it('keeps combining marks and right-to-left letters as code points, in text order', () => {
    const text = 'e\u0301 שָׁלוֹם مرحبا'; // e + combining acute; Hebrew with points; Arabic
    const v = Vocab.fromText(text);
    expect(v.chars).toContain('\u0301');
    expect(v.chars).toContain('\u05B8'); // qamats, a point of its own
    const ids = v.encode(text);
    expect(ids.length).toBe([...text].length);
    expect(ids.length).toBe(text.length); // all in the BMP: one unit each
    expect(v.decode(ids)).toBe(text);
    expect(v.decode(ids).normalize('NFC')).toBe(text.normalize('NFC'));
  });

  it('caps the vocabulary: the most frequent stay, the rarest share U+FFFD', () => {
    const text = 'aaaa bbb cc d e';
    const v = Vocab.fromText(text, 4);
    expect(v.capped).toBe(true);
    expect(v.chars).toEqual([' ', 'a', 'b', UNKNOWN]);
    expect(v.decode(v.encode('abcde'))).toBe(`ab${UNKNOWN}${UNKNOWN}${UNKNOWN}`);
    expect(v.knows('z')).toBe(true);
    expect(Vocab.fromText(text, 100).capped).toBe(false);
    expect(Vocab.fromText(text).knows('z')).toBe(false);
    expect(() => Vocab.fromText(text, 1)).toThrow(/at least 2/);
    expect(MAX_VOCAB).toBe(4096);
  });
});

describe('StreamBatcher', () => {
  it('cuts B contiguous streams and continues each across windows', () => {
    const tokens = Uint32Array.from({ length: 22 }, (_, i) => i);
    const b = new StreamBatcher(tokens, 2, 3); // streams [0..10] and [11..21], 3 windows each
    const w0 = b.next();
    expect(w0.startsEpoch).toBe(true);
    expect([...w0.inputs]).toEqual([0, 11, 1, 12, 2, 13]);
    expect([...w0.targets]).toEqual([1, 12, 2, 13, 3, 14]);
    const w1 = b.next();
    expect([...w1.inputs].filter((_, i) => i % 2 === 0)).toEqual([3, 4, 5]);
    b.next();
    expect(b.epoch).toBe(1);
    expect(b.next().startsEpoch).toBe(true);
  });

  it('explains a text too short for the window', () => {
    expect(() => new StreamBatcher(new Uint32Array(5), 2, 3)).toThrow(
      /too short for 2 streams of 4 characters/,
    );
  });
});
