// Centred finite differences on the float64 reference: the proof that every backward formula is right.
// Relative error |a − n| / (|a| + |n|), with a floor so that two near-zero values count as agreeing.
// Richardson extrapolation of two centred differences (steps h and h/2) cancels the h² term, so the
// truncation error is O(h⁴) while h stays large enough that float64 rounding (≈1e-16/h) is negligible:
// that is what lets even gradients of order 1e-6 meet a 1e-6 relative bound.

export interface GradCheckResult {
  index: number;
  analytic: number;
  numeric: number;
  relError: number;
}

/** Checks `analytic[i]` against (f(x + h·e_i) − f(x − h·e_i)) / 2h at the given indices. */
export function gradCheck(
  f: (x: Float64Array) => number,
  x: Float64Array,
  analytic: ArrayLike<number>,
  indices: number[],
  h = 1e-3,
): GradCheckResult[] {
  return indices.map((i) => {
    const orig = x[i] as number;
    const centred = (step: number): number => {
      x[i] = orig + step;
      const fp = f(x);
      x[i] = orig - step;
      const fm = f(x);
      x[i] = orig;
      return (fp - fm) / (2 * step);
    };
    const numeric = (4 * centred(h / 2) - centred(h)) / 3;
    const a = analytic[i] as number;
    const denom = Math.abs(a) + Math.abs(numeric);
    return { index: i, analytic: a, numeric, relError: denom < 1e-10 ? 0 : Math.abs(a - numeric) / denom };
  });
}
