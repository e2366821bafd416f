// The unit finder's features (what a task's units may track) and the examples a probe reads together.
import { describe, expect, it } from 'vitest';
import { taskFeatures } from './taskFeatures';

const of = (task: string, kind: Parameters<typeof taskFeatures>[1], id: string, text: string | string[]) =>
  taskFeatures(task, kind)
    .find((f) => f.id === id)!
    .of(typeof text === 'string' ? [...text] : text);

describe('taskFeatures', () => {
  it('puts the task’s own features first, then position and steps left (and the decoder’s half)', () => {
    expect(taskFeatures('balanced', 'classify').map((f) => f.id)).toEqual(['depth', 'position', 'left']);
    expect(taskFeatures('', 'tag').map((f) => f.id)).toEqual(['position', 'left']);
    expect(taskFeatures('reverse', 'seq2seq').map((f) => f.id)).toEqual(['position', 'left', 'output']);
  });

  it('computes each feature at every step, the step’s own character counted', () => {
    expect(of('balanced', 'classify', 'depth', '([)]]')).toEqual([1, 2, 1, 0, -1]);
    expect(of('contains', 'classify', 'seen', 'abxbx')).toEqual([0, 0, 1, 1, 1]);
    expect(of('parity', 'classify', 'odd', '01101')).toEqual([0, 1, 0, 0, 1]);
    expect(of('majority', 'classify', 'tally2', '2012')).toEqual([1, 1, 1, 2]);
    expect(of('quotes', 'tag', 'quoted', 'a"bc"d')).toEqual([0, 0, 1, 1, 0, 0]);
    expect(of('ahead', 'tag', 'ahead', 'axbxc')).toEqual([1, 1, 1, 0, 0]);
    expect(of('vowels', 'tag', 'vowel', 'bead')).toEqual([0, 1, 1, 0]);
  });

  it('counts an encoder–decoder’s halves apart: the input, then from START the output', () => {
    const labels = ['a', 'b', 'c', 'START', 'c', 'b', 'a'];
    expect(of('reverse', 'seq2seq', 'position', labels)).toEqual([0, 1, 2, 0, 1, 2, 3]);
    expect(of('reverse', 'seq2seq', 'left', labels)).toEqual([2, 1, 0, 3, 2, 1, 0]);
    expect(of('reverse', 'seq2seq', 'output', labels)).toEqual([0, 0, 0, 1, 1, 1, 1]);
    expect(of('depth', 'generate', 'depth', ['2', 'START', '(', '(', ')', ')'])).toEqual([0, 0, 1, 2, 1, 0]);
  });
});
