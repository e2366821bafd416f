import { describe, expect, it } from 'vitest';
import { formatBytes, formatError } from './format';

describe('format', () => {
  it('formats sizes and errors', () => {
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(32768)).toBe('32 KiB');
    expect(formatBytes(1.5 * 1024 ** 3)).toBe('1.5 GiB');
    expect(formatError(0)).toBe('0');
    expect(formatError(3.14e-7)).toBe('3.1e-7');
    expect(formatError(Infinity)).toBe('∞');
  });
});
