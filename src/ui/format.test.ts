import { describe, expect, it } from 'vitest';
import { formatBytes, formatError, showChar } from './format';

describe('format', () => {
  it('formats sizes and errors', () => {
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(32768)).toBe('32 KiB');
    expect(formatBytes(1.5 * 1024 ** 3)).toBe('1.5 GiB');
    expect(formatError(0)).toBe('0');
    expect(formatError(3.14e-7)).toBe('3.1e-7');
    expect(formatError(Infinity)).toBe('∞');
  });

  it('shows a lone character visibly: combining marks on a dotted circle, invisible ones by code', () => {
    expect(showChar('\u0301')).toBe('◌\u0301');
    expect(showChar('\u05B4')).toBe('◌\u05B4'); // Hebrew point hiriq
    expect(showChar('\u200D')).toBe('⟨U+200D⟩'); // zero-width joiner
    expect(showChar('\u200F')).toBe('⟨U+200F⟩'); // right-to-left mark
    expect(showChar('\0')).toBe('⟨U+0000⟩');
    expect(showChar('\n')).toBe('⏎');
    expect(showChar(' ')).toBe('␣');
    expect(showChar('\u00A0')).toBe('⟨U+00A0⟩');
    for (const letter of ['a', 'ש', 'ع', '中', '😀']) expect(showChar(letter)).toBe(letter);
  });
});
