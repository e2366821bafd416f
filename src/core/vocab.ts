// Character vocabulary over Unicode code points (not UTF-16 units: an emoji or a CJK character is one
// token). Sorted by code point, so the same text always yields the same ids.

export class Vocab {
  private readonly index = new Map<string, number>();

  constructor(readonly chars: readonly string[]) {
    chars.forEach((c, i) => this.index.set(c, i));
  }

  /** The sorted set of code points in `text`. */
  static fromText(text: string): Vocab {
    const set = new Set<string>();
    for (const ch of text) set.add(ch);
    return new Vocab([...set].sort((a, b) => (a.codePointAt(0) as number) - (b.codePointAt(0) as number)));
  }

  get size(): number {
    return this.chars.length;
  }

  /** Token ids of `text`; throws on a character outside the vocabulary, naming it. */
  encode(text: string): Uint32Array {
    const out: number[] = [];
    for (const ch of text) {
      const id = this.index.get(ch);
      if (id === undefined)
        throw new Error(
          `character ${JSON.stringify(ch)} (U+${(ch.codePointAt(0) as number).toString(16).toUpperCase().padStart(4, '0')}) is not in the vocabulary`,
        );
      out.push(id);
    }
    return Uint32Array.from(out);
  }

  decode(ids: ArrayLike<number>): string {
    let s = '';
    for (let i = 0; i < ids.length; i++) s += this.chars[ids[i] as number] ?? '\uFFFD';
    return s;
  }
}
