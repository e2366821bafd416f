import { describe, expect, it } from 'vitest';
import { Emitter } from './emitter';

describe('Emitter', () => {
  it('delivers payloads to subscribers until they unsubscribe', () => {
    const e = new Emitter<{ n: number; s: string }>();
    const got: unknown[] = [];
    const off = e.on('n', (v) => got.push(v));
    e.on('s', (v) => got.push(v));
    e.emit('n', 1);
    e.emit('s', 'a');
    off();
    e.emit('n', 2);
    expect(got).toEqual([1, 'a']);
  });
});
