// The examples a task probe reads together (the unit finder's lines).
import { describe, expect, it } from 'vitest';
import { probeExamples } from './taskProbe';
import { Seq2SeqCodec } from './seq2seqTask';

describe('probeExamples', () => {
  const val = ['abc', 'de', 'fgh', 'ijkl', 'mno'].map((input) => ({ input, target: input }));
  it('takes the first examples, up to the batch; an encoder–decoder only those as long as the first', () => {
    expect(probeExamples(val, 3, null).map((e) => e.input)).toEqual(['abc', 'de', 'fgh']);
    const length = (kind: 'seq2seq' | 'generate') => {
      const codec = new Seq2SeqCodec(kind, val, ['a']);
      return (x: string) => codec.sourceLength(x);
    };
    const seq = length('seq2seq');
    expect(probeExamples(val, 16, seq).map((e) => e.input)).toEqual(['abc', 'fgh', 'mno']);
    expect(probeExamples(val, 2, seq).map((e) => e.input)).toEqual(['abc', 'fgh']);
    // A label is one encoder step however many characters it has.
    expect(probeExamples(val, 4, length('generate')).map((e) => e.input)).toEqual([
      'abc',
      'de',
      'fgh',
      'ijkl',
    ]);
  });
});
