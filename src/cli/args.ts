// Tiny `--flag value` parser for the CLI tools: typed lookups with defaults, unknown flags rejected.

export class Args {
  private readonly values = new Map<string, string>();

  constructor(argv: string[], known: readonly string[]) {
    for (let i = 0; i < argv.length; i++) {
      const a = argv[i] as string;
      if (!a.startsWith('--')) throw new Error(`unexpected argument "${a}"`);
      const [name, inline] = a.slice(2).split('=', 2) as [string, string | undefined];
      if (!known.includes(name))
        throw new Error(`unknown option --${name} (known: ${known.map((k) => `--${k}`).join(' ')})`);
      const next = argv[i + 1];
      const value = inline ?? (next !== undefined && !next.startsWith('--') ? (i++, next) : 'true');
      this.values.set(name, value);
    }
  }

  flag(name: string): boolean {
    return this.values.get(name) === 'true';
  }

  str(name: string, fallback: string): string {
    return this.values.get(name) ?? fallback;
  }

  int(name: string, fallback: number): number {
    const v = this.values.get(name);
    if (v === undefined) return fallback;
    const n = Number(v);
    if (!Number.isInteger(n) || n <= 0) throw new Error(`--${name} must be a positive integer, got "${v}"`);
    return n;
  }
}
