import { describe, expect, it } from 'vitest';
import { compareArrays } from './tolerance';

const tol = { atol: 1e-5, rtol: 1e-4 };

describe('compareArrays', () => {
  it('accepts values within atol + rtol·|ref|', () => {
    const r = compareArrays('x', [1.00009, 0, -2], [1, 0.000009, -2.0001], tol);
    expect(r.ok).toBe(true);
    expect(r.worstRatio).toBeLessThanOrEqual(1);
  });

  it('names the first offenders', () => {
    const r = compareArrays('x', [0, 1, 2, 3], [0, 1.01, 2, 3.5], tol);
    expect(r.ok).toBe(false);
    expect(r.offenders.map((o) => o.index)).toEqual([1, 3]);
    expect(r.message).toContain('[1] got 1 want 1.01');
  });

  it('treats NaN and Infinity as failures, and length mismatches', () => {
    expect(compareArrays('x', [NaN], [0], tol).ok).toBe(false);
    expect(compareArrays('x', [Infinity], [1], tol).ok).toBe(false);
    expect(compareArrays('x', [1, 2], [1], tol).ok).toBe(false);
  });
});
