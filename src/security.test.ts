// Hostile text stays text (issue 7): no code path turns user data into markup or code. React escapes what it
// renders; this scan keeps the escape hatches out of the source, so a corpus, a file name or a model file's
// metadata can never be executed.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) return sources(p);
    return /\.(ts|tsx)$/.test(name) && !/\.test\.ts$/.test(name) ? [p] : [];
  });
}

describe('the source', () => {
  it('has no eval, new Function, innerHTML, outerHTML, insertAdjacentHTML or dangerouslySetInnerHTML', () => {
    const banned =
      /\beval\s*\(|new\s+Function\s*\(|\.innerHTML\b|\.outerHTML\b|insertAdjacentHTML|dangerouslySetInnerHTML|document\.write/;
    const files = sources('src');
    expect(files.length).toBeGreaterThan(50);
    const hits = files.filter((f) => banned.test(readFileSync(f, 'utf8')));
    expect(hits).toEqual([]);
  });
});
