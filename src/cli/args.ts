// Tiny `--flag value` parser for the CLI tools: typed lookups with defaults and ranges; unknown flags and
// bad values throw UsageError, which the commands turn into one line on stderr and exit code 2.

/** Bad command-line input: reported as one line, exit code 2, nothing written. */
export class UsageError extends Error {
  override name = 'UsageError';
}

export class Args {
  private readonly values = new Map<string, string>();

  constructor(argv: string[], known: readonly string[]) {
    for (let i = 0; i < argv.length; i++) {
      const a = argv[i] as string;
      if (!a.startsWith('--')) throw new UsageError(`unexpected argument "${a}"`);
      const [name, inline] = a.slice(2).split(/=(.*)/s, 2) as [string, string | undefined];
      if (!known.includes(name))
        throw new UsageError(`unknown option --${name} (known: ${known.map((k) => `--${k}`).join(' ')})`);
      const next = argv[i + 1];
      const value = inline ?? (next !== undefined && !next.startsWith('--') ? (i++, next) : 'true');
      this.values.set(name, value);
    }
  }

  has(name: string): boolean {
    return this.values.has(name);
  }

  flag(name: string): boolean {
    return this.values.get(name) === 'true';
  }

  str(name: string, fallback: string): string {
    return this.values.get(name) ?? fallback;
  }

  /** A required or optional value that must not be empty (a path, a text). */
  value(name: string, required: true): string;
  value(name: string, required?: false): string | undefined;
  value(name: string, required = false): string | undefined {
    const v = this.values.get(name);
    if (v === undefined) {
      if (required) throw new UsageError(`--${name} is required`);
      return undefined;
    }
    if (v === 'true' || v === '') throw new UsageError(`--${name} needs a value`);
    return v;
  }

  int(name: string, fallback: number, lo = 1, hi = Number.MAX_SAFE_INTEGER): number {
    const v = this.values.get(name);
    if (v === undefined) return fallback;
    const n = Number(v);
    if (!Number.isInteger(n) || n < lo || n > hi)
      throw new UsageError(
        lo === 1 && hi === Number.MAX_SAFE_INTEGER
          ? `--${name} must be a positive integer, got "${v}"`
          : `--${name} must be an integer from ${lo} to ${hi}, got "${v}"`,
      );
    return n;
  }

  num(name: string, fallback: number, lo: number, hi: number): number {
    const v = this.values.get(name);
    if (v === undefined) return fallback;
    const n = Number(v);
    if (v.trim() === '' || !Number.isFinite(n) || n < lo || n > hi)
      throw new UsageError(`--${name} must be a number from ${lo} to ${hi}, got "${v}"`);
    return n;
  }

  choice<T extends string>(name: string, fallback: T, options: readonly T[]): T {
    const v = this.values.get(name);
    if (v === undefined) return fallback;
    if (!options.includes(v as T))
      throw new UsageError(`--${name} must be one of ${options.join(', ')}, got "${v}"`);
    return v as T;
  }
}
