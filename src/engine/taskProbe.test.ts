// The examples a task probe reads together (the unit finder's lines).
import { describe, expect, it } from 'vitest';
import { probeExamples } from './taskProbe';

describe('probeExamples', () => {
  const val = ['abc', 'de', 'fgh', 'ijkl', 'mno'].map((input) => ({ input, target: input }));
  it('takes the first examples, up to the batch; an encoder–decoder only those as long as the first', () => {
    expect(probeExamples(val, 3, false).map((e) => e.input)).toEqual(['abc', 'de', 'fgh']);
    expect(probeExamples(val, 16, true).map((e) => e.input)).toEqual(['abc', 'fgh', 'mno']);
    expect(probeExamples(val, 2, true).map((e) => e.input)).toEqual(['abc', 'fgh']);
  });
});
