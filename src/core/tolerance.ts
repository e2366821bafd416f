// The one tolerance policy for GPU-vs-reference comparisons (DESIGN.md §4): |gpu − ref| ≤ atol + rtol·|ref|.
// A comparison returns a report rather than a boolean so that a failure can name the worst offenders.

/** Absolute and relative tolerance of one kernel, set once in the kernel registry. */
export interface Tolerance {
  atol: number;
  rtol: number;
}

/** One element that broke the tolerance. */
export interface Offender {
  index: number;
  actual: number;
  expected: number;
}

/** What a comparison found; `ok` is false also when the lengths differ or a value is not finite. */
export interface CompareReport {
  ok: boolean;
  count: number;
  maxAbsError: number;
  maxRelError: number;
  /** Largest |a−e| / (atol + rtol·|e|): ≤ 1 means within tolerance. */
  worstRatio: number;
  offenders: Offender[];
  message: string;
}

/** Compares `actual` against `expected` element by element under `tol`, keeping the first few offenders. */
export function compareArrays(
  name: string,
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  tol: Tolerance,
  maxOffenders = 5,
): CompareReport {
  const offenders: Offender[] = [];
  let maxAbsError = 0;
  let maxRelError = 0;
  let worstRatio = 0;
  let bad = 0;
  if (actual.length !== expected.length) {
    return {
      ok: false,
      count: 0,
      maxAbsError: Infinity,
      maxRelError: Infinity,
      worstRatio: Infinity,
      offenders,
      message: `${name}: length ${actual.length} ≠ expected ${expected.length}`,
    };
  }
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i] as number;
    const e = expected[i] as number;
    const err = Math.abs(a - e);
    const allowed = tol.atol + tol.rtol * Math.abs(e);
    // NaN compares false everywhere, so test the good case and count everything else as bad.
    const within = err <= allowed;
    if (!within) {
      bad++;
      if (offenders.length < maxOffenders) offenders.push({ index: i, actual: a, expected: e });
    }
    const errOrInf = Number.isNaN(err) ? Infinity : err;
    maxAbsError = Math.max(maxAbsError, errOrInf);
    maxRelError = Math.max(maxRelError, errOrInf / Math.max(Math.abs(e), 1e-30));
    worstRatio = Math.max(worstRatio, errOrInf / allowed);
  }
  const ok = bad === 0;
  const head = `${name}: max |err| ${maxAbsError.toExponential(2)}, ${bad}/${expected.length} outside ${tol.atol} + ${tol.rtol}·|ref|`;
  const list = offenders.map((o) => `[${o.index}] got ${o.actual} want ${o.expected}`).join('; ');
  return {
    ok,
    count: expected.length,
    maxAbsError,
    maxRelError,
    worstRatio,
    offenders,
    message: ok ? head : `${head}; first: ${list}`,
  };
}
