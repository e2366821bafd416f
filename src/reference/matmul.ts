// Float64 reference for shaders/matmul.wgsl: the oracle its GPU results are compared with.
import type { MatmulSpec } from '../core/matmul';

/**
 * C(m, n) = op(A)·op(B) [+ C] [+ bias], in float64.
 * @param a (m, k), or (k, m) when spec.transA
 * @param b (k, n), or (n, k) when spec.transB
 * @param c (m, n) initial C, read only when spec.accumulate
 * @param bias (n), read only when spec.bias
 */
export function matmul(
  spec: MatmulSpec,
  a: ArrayLike<number>,
  b: ArrayLike<number>,
  c?: ArrayLike<number>,
  bias?: ArrayLike<number>,
): Float64Array {
  const { m, n, k, transA, transB } = spec;
  const out = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let acc = 0;
      for (let p = 0; p < k; p++) {
        const av = (transA ? a[p * m + i] : a[i * k + p]) as number;
        const bv = (transB ? b[j * k + p] : b[p * n + j]) as number;
        acc += av * bv;
      }
      if (spec.accumulate) acc += (c as ArrayLike<number>)[i * n + j] as number;
      if (spec.bias) acc += (bias as ArrayLike<number>)[j] as number;
      out[i * n + j] = acc;
    }
  }
  return out;
}
