// The shape contract of the matrix multiply shared by the float64 reference and the WGSL kernel.
// All matrices are dense row-major; a transposed operand is stored in its transposed shape.

/** C(m, n) = op(A)(m, k) · op(B)(k, n) [+ C] [+ bias(n)], op = identity or transpose. */
export interface MatmulSpec {
  m: number;
  n: number;
  k: number;
  /** A is stored (k, m) and used transposed: Aᵀ·B, as in weight gradients dW = dYᵀ·X. */
  transA: boolean;
  /** B is stored (n, k) and used transposed: A·Bᵀ, as in X·Wᵀ with PyTorch's (out, in) weights. */
  transB: boolean;
  /** Add into the existing C (gradient accumulation) instead of overwriting it. */
  accumulate: boolean;
  /** Add a bias vector of length n to every row. */
  bias: boolean;
}

/** Element counts of A, B and C for a spec. */
export function matmulSizes(s: MatmulSpec): { a: number; b: number; c: number } {
  return { a: s.m * s.k, b: s.k * s.n, c: s.m * s.n };
}

/** Multiply-adds counted as 2 flops each. */
export function matmulFlops(s: MatmulSpec): number {
  return 2 * s.m * s.n * s.k;
}

/** A short label such as `7×13×5 A·Bᵀ +C +b` for reports. */
export function describeMatmul(s: MatmulSpec): string {
  const op = `${s.transA ? 'Aᵀ' : 'A'}·${s.transB ? 'Bᵀ' : 'B'}`;
  return `${s.m}×${s.n}×${s.k} ${op}${s.accumulate ? ' +C' : ''}${s.bias ? ' +b' : ''}`;
}

/** A spec with every option off unless given: `matmulSpec(m, n, k, { transB: true, bias: true })`. */
export function matmulSpec(m: number, n: number, k: number, o: Partial<MatmulSpec> = {}): MatmulSpec {
  return { m, n, k, transA: false, transB: false, accumulate: false, bias: false, ...o };
}

/**
 * How many K slices the GPU kernel sums a multiply in: weight gradients (Aᵀ·B over every position of a
 * window) have few 64×64 tiles of C and a long K, so one workgroup per tile leaves most of a GPU idle while
 * each walks all of K. Split until there are about 256 workgroups, keeping ≥ 256 terms per slice, at most 8
 * slices. 1 for everything else.
 */
export function splitOf(s: MatmulSpec): number {
  if (!s.transA) return 1;
  const tiles = Math.ceil(s.m / 64) * Math.ceil(s.n / 64);
  let split = 1;
  while (split < 8 && tiles * split < 256 && s.k / (split * 2) >= 256) split *= 2;
  return split;
}

/** Floats of the partial products a split multiply needs (0 without a split). */
export function splitFloats(s: MatmulSpec): number {
  const split = splitOf(s);
  return split > 1 ? split * s.m * s.n : 0;
}
