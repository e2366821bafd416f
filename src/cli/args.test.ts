import { describe, expect, it } from 'vitest';
import { Args } from './args';

describe('Args', () => {
  it('parses flags, values and defaults', () => {
    const a = new Args(['--suite', '--steps', '30', '--cell=lstm'], ['suite', 'steps', 'cell', 'hidden']);
    expect(a.flag('suite')).toBe(true);
    expect(a.int('steps', 5)).toBe(30);
    expect(a.str('cell', 'rnn')).toBe('lstm');
    expect(a.int('hidden', 128)).toBe(128);
  });

  it('rejects unknown options and bad numbers', () => {
    expect(() => new Args(['--nope'], ['steps'])).toThrow(/unknown option --nope/);
    expect(() => new Args(['--steps', '-3'], ['steps']).int('steps', 1)).toThrow(/positive integer/);
  });
});
