// The reliability ledger (issue 7): every row of docs/RELIABILITY.md names, in backticks, the tests that prove
// it; this reads the JSON reports of the run that just finished (reports/unit.json from Vitest,
// reports/e2e.json from Playwright) and counts a case as kept only when each named test exists and passed.
// `npm test` ends with it and prints "Reliability: N cases, 0 lost"; a lost case fails the suite.
import { existsSync, readFileSync } from 'node:fs';

/** Rows of the first markdown table: { name, tests: [backticked fragments of test titles] }. */
export function parseCases(markdown) {
  const rows = markdown.split('\n').filter((l) => l.startsWith('|'));
  return rows
    .slice(2) // header and separator
    .map((row) =>
      row
        .split('|')
        .slice(1, -1)
        .map((c) => c.trim()),
    )
    .filter((cells) => cells.length >= 3)
    .map((cells) => ({
      name: cells[0],
      tests: [...cells[cells.length - 1].matchAll(/`([^`]+)`/g)].map((m) => m[1]),
    }));
}

/** Test titles and outcomes from a Vitest JSON report: "describe › it" → passed. */
export function vitestResults(report) {
  const out = new Map();
  for (const file of report.testResults ?? [])
    for (const t of file.assertionResults ?? [])
      out.set([...(t.ancestorTitles ?? []), t.title].join(' › '), t.status === 'passed');
  return out;
}

/** Test titles and outcomes from a Playwright JSON report (a retried test counts by its last result). */
export function playwrightResults(report) {
  const out = new Map();
  const walk = (suite, path) => {
    for (const spec of suite.specs ?? []) {
      const results = spec.tests?.flatMap((t) => t.results ?? []) ?? [];
      const last = results[results.length - 1];
      out.set([...path, spec.title].join(' › '), spec.ok && last?.status === 'passed');
    }
    for (const s of suite.suites ?? [])
      walk(s, s.title && !s.title.endsWith('.ts') ? [...path, s.title] : path);
  };
  for (const s of report.suites ?? []) walk(s, []);
  return out;
}

/** Each case with the tests it names that are missing or failed; kept when that list is empty. */
export function audit(cases, results) {
  return cases.map((c) => {
    const problems = [];
    if (!c.tests.length) problems.push('names no test');
    for (const fragment of c.tests) {
      const matches = [...results].filter(([title]) => title.includes(fragment));
      if (!matches.length) problems.push(`no test titled “${fragment}” ran`);
      else if (matches.some(([, ok]) => !ok)) problems.push(`“${fragment}” failed`);
    }
    return { name: c.name, problems };
  });
}

function main() {
  const root = new URL('..', import.meta.url).pathname;
  const results = new Map();
  for (const [file, read] of [
    ['reports/unit.json', vitestResults],
    ['reports/e2e.json', playwrightResults],
  ]) {
    const path = root + file;
    if (!existsSync(path)) {
      console.error(`reliability: ${file} is missing; run the unit and e2e stages first (npm test does).`);
      process.exit(1);
    }
    for (const [k, v] of read(JSON.parse(readFileSync(path, 'utf8')))) results.set(k, v);
  }
  const cases = parseCases(readFileSync(root + 'docs/RELIABILITY.md', 'utf8'));
  const lost = audit(cases, results).filter((c) => c.problems.length);
  for (const c of lost) console.error(`  lost: ${c.name} — ${c.problems.join('; ')}`);
  console.log(`Reliability (docs/RELIABILITY.md): ${cases.length} cases, ${lost.length} lost`);
  process.exit(lost.length || cases.length === 0 ? 1 : 0);
}

if (process.argv[1] && new URL(import.meta.url).pathname === process.argv[1]) main();
