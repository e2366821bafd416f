// Character vocabulary over Unicode code points (not UTF-16 units: an emoji or a CJK character is one
// token; a combining mark is its own token, as char-rnn counts them). Sorted by code point, so the same text
// always yields the same ids. Above MAX_VOCAB distinct characters, a corpus needs a cap: the rarest
// characters then share one unknown token, U+FFFD.

/**
 * Most distinct characters a model takes. Sampling ranks the distribution with an O(V²) pass per step in one
 * workgroup (shaders/sample.wgsl) and the logits grow with V; 4096 covers every alphabet and everyday CJK.
 */
export const MAX_VOCAB = 4096;
/** The token that stands for every character cut from a capped vocabulary. */
export const UNKNOWN = '\uFFFD';

const byCodePoint = (a: string, b: string): number =>
  (a.codePointAt(0) as number) - (b.codePointAt(0) as number);

export class Vocab {
  private readonly index = new Map<string, number>();
  /** The id characters outside the vocabulary map to; undefined when the vocabulary is not capped. */
  readonly unknownId: number | undefined;

  constructor(
    readonly chars: readonly string[],
    /** A capped vocabulary: UNKNOWN (one of `chars`) stands for every other character. */
    readonly capped = false,
  ) {
    chars.forEach((c, i) => this.index.set(c, i));
    this.unknownId = capped ? this.index.get(UNKNOWN) : undefined;
    if (capped && this.unknownId === undefined) throw new Error('a capped vocabulary must contain U+FFFD');
  }

  /**
   * The sorted set of code points in `text`. With `maxSize` and more distinct characters than that, the
   * maxSize − 1 most frequent are kept (ties: lower code point) and UNKNOWN stands for the rest.
   */
  static fromText(text: string, maxSize?: number): Vocab {
    const counts = new Map<string, number>();
    for (const ch of text) counts.set(ch, (counts.get(ch) ?? 0) + 1);
    if (maxSize === undefined || counts.size <= maxSize)
      return new Vocab([...counts.keys()].sort(byCodePoint));
    if (!Number.isInteger(maxSize) || maxSize < 2)
      throw new Error(`vocabulary cap must be at least 2 (got ${maxSize})`);
    const kept = [...counts.entries()]
      .filter(([ch]) => ch !== UNKNOWN)
      .sort((a, b) => b[1] - a[1] || byCodePoint(a[0], b[0]))
      .slice(0, maxSize - 1)
      .map(([ch]) => ch);
    return new Vocab([...kept, UNKNOWN].sort(byCodePoint), true);
  }

  get size(): number {
    return this.chars.length;
  }

  /** Token ids of `text`; outside the vocabulary: UNKNOWN when capped, otherwise an error naming the character. */
  encode(text: string): Uint32Array {
    const out: number[] = [];
    for (const ch of text) {
      const id = this.index.get(ch) ?? this.unknownId;
      if (id === undefined)
        throw new Error(
          `character ${JSON.stringify(ch)} (U+${(ch.codePointAt(0) as number).toString(16).toUpperCase().padStart(4, '0')}) is not in the vocabulary`,
        );
      out.push(id);
    }
    return Uint32Array.from(out);
  }

  /** Whether `ch` has a token of its own or (capped) maps to UNKNOWN. */
  knows(ch: string): boolean {
    return this.index.has(ch) || this.unknownId !== undefined;
  }

  decode(ids: ArrayLike<number>): string {
    let s = '';
    for (let i = 0; i < ids.length; i++) s += this.chars[ids[i] as number] ?? '\uFFFD';
    return s;
  }
}
