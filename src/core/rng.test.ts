import { describe, expect, it } from 'vitest';
import { Rng } from './rng';

describe('Rng', () => {
  it('is reproducible from a seed and differs across seeds', () => {
    const a = new Rng(42).uniformArray(8);
    expect(new Rng(42).uniformArray(8)).toEqual(a);
    expect(new Rng(43).uniformArray(8)).not.toEqual(a);
  });

  it('continues the same stream after save/restore', () => {
    const r = new Rng(7);
    r.next();
    const state = r.save();
    const expected = [r.next(), r.next(), r.next()];
    const s = new Rng(0).restore(state);
    expect([s.next(), s.next(), s.next()]).toEqual(expected);
  });

  it('stays in range with plausible moments', () => {
    const r = new Rng(1);
    let sum = 0;
    let sumSq = 0;
    const n = 20000;
    for (let i = 0; i < n; i++) {
      const u = r.next();
      expect(u).toBeGreaterThanOrEqual(0);
      expect(u).toBeLessThan(1);
      const z = r.normal();
      sum += z;
      sumSq += z * z;
    }
    expect(Math.abs(sum / n)).toBeLessThan(0.05);
    expect(Math.abs(sumSq / n - 1)).toBeLessThan(0.05);
    for (let i = 0; i < 1000; i++) expect(r.int(5)).toBeLessThan(5);
  });
});
