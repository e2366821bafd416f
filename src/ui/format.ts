// Number formatting shared by the panels.

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
