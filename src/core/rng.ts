// Seeded pseudo-random numbers for everything that must be reproducible (initialisation, batching, tests).
// Each consumer owns its own Rng instance; nothing touches Math.random, so a seed reproduces a run exactly.

/** A small, fast, seedable generator (mulberry32 state, 32-bit). Its state is one integer, so it can be saved. */
export class Rng {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** The current state; `new Rng(0).restore(s)` continues the exact same stream. */
  save(): number {
    return this.state;
  }

  restore(state: number): this {
    this.state = state >>> 0;
    return this;
  }

  /** Uniform integer in [0, 2^32). */
  nextU32(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }

  /** Uniform float in [0, 1). */
  next(): number {
    return this.nextU32() / 4294967296;
  }

  /** Uniform float in [lo, hi). */
  uniform(lo: number, hi: number): number {
    return lo + (hi - lo) * this.next();
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** Standard normal (Box–Muller; one value per call keeps the state a single integer). */
  normal(): number {
    const u = 1 - this.next();
    const v = this.next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  /** A Float32Array of n uniform values in [lo, hi). */
  uniformArray(n: number, lo = -1, hi = 1): Float32Array {
    const out = new Float32Array(n);
    for (let i = 0; i < n; i++) out[i] = this.uniform(lo, hi);
    return out;
  }
}

/** A seeded Fisher–Yates permutation of 0…n−1 (n − 1 draws of `rng.int`). */
export function permutation(n: number, rng: Rng): number[] {
  const p = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [p[i], p[j]] = [p[j]!, p[i]!];
  }
  return p;
}

/** One character of `s`, drawn uniformly. */
export const pick = (rng: Rng, s: string): string => s[rng.int(s.length)]!;

/** A string of `lo` to `hi` characters drawn from `alphabet` (the generated tasks' inputs). */
export const word = (rng: Rng, alphabet: string, lo: number, hi: number): string =>
  Array.from({ length: lo + rng.int(hi - lo + 1) }, () => pick(rng, alphabet)).join('');
