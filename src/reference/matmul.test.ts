import { describe, expect, it } from 'vitest';
import type { MatmulSpec } from '../core/matmul';
import { Rng } from '../core/rng';
import { matmul } from './matmul';

const base: MatmulSpec = { m: 2, n: 2, k: 3, transA: false, transB: false, accumulate: false, bias: false };

function transpose(x: ArrayLike<number>, rows: number, cols: number): number[] {
  const out: number[] = [];
  for (let j = 0; j < cols; j++) for (let i = 0; i < rows; i++) out.push(x[i * cols + j] as number);
  return out;
}

describe('reference matmul', () => {
  it('matches a hand-computed product, with accumulate and bias', () => {
    const a = [1, 2, 3, 4, 5, 6]; // (2, 3)
    const b = [7, 8, 9, 10, 11, 12]; // (3, 2)
    expect([...matmul(base, a, b)]).toEqual([58, 64, 139, 154]);
    const c = [1, 1, 1, 1];
    const bias = [10, 20];
    expect([...matmul({ ...base, accumulate: true, bias: true }, a, b, c, bias)]).toEqual([69, 85, 150, 175]);
  });

  it('reads transposed operands from their transposed storage', () => {
    const rng = new Rng(3);
    const spec = { ...base, m: 4, n: 5, k: 3 };
    const a = rng.uniformArray(12);
    const b = rng.uniformArray(15);
    const plain = matmul(spec, a, b);
    const viaT = matmul({ ...spec, transA: true, transB: true }, transpose(a, 4, 3), transpose(b, 3, 5));
    for (let i = 0; i < plain.length; i++) expect(viaT[i]).toBeCloseTo(plain[i] as number, 12);
  });
});
