// Small float64 helpers shared by the reference modules: a tensor's view out of the flat parameters, column
// sums (bias gradients) and accumulation into the flat gradient.
import type { TensorSpec } from '../core/params';

/** A float64 copy of one tensor of the flat parameters. */
export const view = (p: ArrayLike<number>, t: Pick<TensorSpec, 'offset' | 'size'>): Float64Array =>
  Float64Array.from({ length: t.size }, (_, i) => p[t.offset + i] as number);

/** dst[offset + i] += src[i] */
export function addInto(dst: Float64Array, offset: number, src: ArrayLike<number>): void {
  for (let i = 0; i < src.length; i++) dst[offset + i] = (dst[offset + i] as number) + (src[i] as number);
}

/** Column sums of an (M, N) matrix: bias gradients. */
export function colSum(M: number, N: number, x: ArrayLike<number>): Float64Array {
  const out = new Float64Array(N);
  for (let r = 0; r < M; r++)
    for (let c = 0; c < N; c++) out[c] = (out[c] as number) + (x[r * N + c] as number);
  return out;
}
