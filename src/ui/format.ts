// Number and character formatting shared by the panels.

/** Bytes as a short human size: 1.0 GiB, 32 KiB, 512 B. */
export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = bytes;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v >= 10 || i === 0 ? Math.round(v) : v.toFixed(1)} ${units[i]}`;
}

/** An error magnitude for tables: 0, 3.1e-7, ∞. */
export function formatError(x: number): string {
  if (!Number.isFinite(x)) return '∞';
  if (x === 0) return '0';
  return x.toExponential(1);
}

/**
 * One character as a view shows it on its own: whitespace and control characters as visible symbols or
 * U+ codes, a combining mark on a dotted circle (alone it would fuse with its neighbour), invisible format
 * characters (zero-width joiners, direction marks) as their code. Letters of every script are left as they are.
 */
export function showChar(c: string): string {
  if (c === '\n') return '⏎';
  if (c === ' ') return '␣';
  if (c === '\t') return '⇥';
  const cp = c.codePointAt(0) ?? 0;
  const code = `U+${cp.toString(16).toUpperCase().padStart(4, '0')}`;
  if (/^[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]$/u.test(c)) return `⟨${code}⟩`;
  if (/^\p{M}$/u.test(c)) return `◌${c}`;
  if (/^\s$/u.test(c)) return `⟨${code}⟩`;
  return c;
}
