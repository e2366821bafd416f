// The ledger itself can fail: a case whose test is missing, failed, or that names no test is lost.
import { describe, expect, it } from 'vitest';
import { audit, parseCases, playwrightResults, vitestResults } from './reliability.mjs';

const table = `intro
| case | behaviour | test |
|---|---|---|
| empty corpus | refused | \`refuses empty\`; e2e \`shows the limit\` |
| no test | nothing | — |
| broken | x | \`missing title\` |
`;

describe('reliability ledger', () => {
  it('parses cases and their backticked test titles', () => {
    expect(parseCases(table)).toEqual([
      { name: 'empty corpus', tests: ['refuses empty', 'shows the limit'] },
      { name: 'no test', tests: [] },
      { name: 'broken', tests: ['missing title'] },
    ]);
  });

  it('keeps a case only when every named test ran and passed', () => {
    const unit = vitestResults({
      testResults: [
        {
          assertionResults: [
            { ancestorTitles: ['prepareCorpus'], title: 'refuses empty texts', status: 'passed' },
          ],
        },
      ],
    });
    const e2e = playwrightResults({
      suites: [
        {
          title: 'corpus.spec.ts',
          specs: [
            { title: 'a big file shows the limit', ok: false, tests: [{ results: [{ status: 'failed' }] }] },
          ],
        },
      ],
    });
    const results = new Map([...unit, ...e2e]);
    expect([...results.keys()]).toEqual([
      'prepareCorpus › refuses empty texts',
      'a big file shows the limit',
    ]);
    const audited = audit(parseCases(table), results);
    expect(audited.map((c) => c.problems)).toEqual([
      ['“shows the limit” failed'],
      ['names no test'],
      ['no test titled “missing title” ran'],
    ]);
  });
});
