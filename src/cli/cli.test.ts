// The train, sample and export commands as a user runs them (bundled by scripts/bundle.mjs, as npm run does):
// bad input is one line on stderr, exit code 2 and nothing written; a small CPU run produces the documented
// JSON lines, a model file that samples, and an export folder whose train.py is valid Python.
import { spawnSync } from 'node:child_process';
import { commandHarness } from './commandHarness';
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';

const dir = mkdtempSync(join(tmpdir(), 'unroll-cli-'));
const cli = commandHarness('cli-test');
const run = cli.run;

beforeAll(() => cli.build(['train', 'sample', 'export']), 60_000);

const file = (name: string, content: string | Uint8Array) => {
  const p = join(dir, name);
  writeFileSync(p, content);
  return p;
};

const text = 'the cat sat on the mat. the dog ate the hat.\n'.repeat(12);
/** 5000 distinct CJK characters after a short repeated sentence: over the 4096-character vocabulary limit. */
const cjk =
  text.slice(0, 200) + Array.from({ length: 5000 - 15 }, (_, i) => String.fromCodePoint(0x4e00 + i)).join('');

describe('CLI: bad input', () => {
  const cases: [string, string, string[], RegExp][] = [
    ['missing corpus', 'train', ['--corpus', join(dir, 'none.txt')], /no such file/],
    ['empty corpus', 'train', ['--corpus', file('empty.txt', '')], /empty/],
    [
      'binary corpus',
      'train',
      ['--corpus', file('bin.dat', new Uint8Array([0x89, 0x50, 0, 0, 0xff, 0xfe]))],
      /UTF-8|binary/,
    ],
    ['unknown flag', 'train', ['--corpus', file('a.txt', text), '--hiden', '8'], /unknown option --hiden/],
    ['hidden out of range', 'train', ['--corpus', file('b.txt', text), '--hidden', '0'], /--hidden must be/],
    [
      'malformed tiles',
      'train',
      ['--corpus', file('b.txt', text), '--tiles', '8,8/1'],
      /--tiles 8,8\/1: expected/,
    ],
    [
      'tiles beyond the limits',
      'train',
      ['--corpus', file('b.txt', text), '--tiles', '64,8,32,1/32,8,32,1'],
      /--tiles 64,8,32,1\/32,8,32,1: .*256 invocations/,
    ],
    [
      'bad learning rate',
      'train',
      ['--corpus', file('c.txt', text), '--lr', 'fast'],
      /--lr must be a number/,
    ],
    [
      'bad cell',
      'train',
      ['--corpus', file('d.txt', text), '--cell', 'transformer'],
      /--cell must be one of/,
    ],
    [
      'corpus shorter than the window',
      'train',
      ['--corpus', file('short.txt', 'abcdefgh'), '--seq', '64', '--batch', '2', '--backend', 'cpu'],
      /too short/,
    ],
    [
      'more distinct characters than the vocabulary limit',
      'train',
      ['--corpus', file('cjk.txt', cjk), '--backend', 'cpu'],
      /4,9\d\d distinct characters; the vocabulary limit is 4,096/,
    ],
    [
      'vocabulary cap out of range',
      'train',
      ['--corpus', file('e.txt', text), '--max-vocab', '1'],
      /--max-vocab must be/,
    ],
    [
      'task of the other kind',
      'train',
      ['--task', 'classify', '--corpus', 'synthetic:vowels'],
      /vowels is a tag task; use --task tag/,
    ],
    [
      'malformed task lines',
      'train',
      ['--task', 'tag', '--corpus', file('bad.tsv', 'abc\tIO\nab\tIO\n'), '--backend', 'cpu'],
      /line 1 has 2 tags for 3 input characters/,
    ],
    ['unknown synthetic corpus', 'train', ['--corpus', 'synthetic:nope'], /Unknown synthetic corpus "nope"/],
    ['sample without --model', 'sample', [], /--model is required/],
    [
      'corrupt model file',
      'sample',
      ['--model', file('bad.safetensors', 'not a model at all')],
      /not an Unroll model/,
    ],
    [
      'export of a missing model',
      'export',
      ['--model', join(dir, 'none.safetensors'), '--out', join(dir, 'x')],
      /no such model file/,
    ],
  ];
  for (const [label, cmd, args, message] of cases) {
    it(`${label}: exit 2, one line, nothing written`, () => {
      const out = join(dir, `out-${label.replace(/\W+/g, '-')}`);
      const r = run(cmd, [...args, ...(cmd === 'train' ? ['--out', out] : [])]);
      expect(r.code, r.err).toBe(2);
      expect(r.err.trim().split('\n')).toHaveLength(1);
      expect(r.err).toMatch(message);
      expect(r.err).toMatch(new RegExp(`^unroll ${cmd}: `));
      expect(existsSync(out)).toBe(false);
    });
  }
});

describe('CLI: sequence tasks', () => {
  it('--task tag trains on a generated task and reports accuracy; --task classify reads input<TAB>label lines', () => {
    const out = join(dir, 'tag');
    const common = [
      '--backend',
      'cpu',
      '--cell',
      'gru',
      '--hidden',
      '12',
      '--embed',
      '8',
      '--layers',
      '1',
      '--json',
    ];
    const r = run('train', [
      '--task',
      'tag',
      '--corpus',
      'synthetic:vowels:300',
      ...common,
      '--steps',
      '40',
      '--val-every',
      '20',
      '--lr',
      '0.02',
      '--out',
      out,
    ]);
    expect(r.code, r.err).toBe(0);
    const lines = r.out
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, number | boolean | string>);
    expect(lines.filter((l) => l.accuracy !== undefined && !l.done).map((l) => l.step)).toEqual([20]);
    const done = lines.at(-1)!;
    expect(done).toMatchObject({ done: true, step: 40, evaluation: join(out, 'evaluation.json') });
    expect(done.accuracy as number).toBeGreaterThan(0.8);
    const evaluation = JSON.parse(readFileSync(join(out, 'evaluation.json'), 'utf8')) as {
      classes: string[];
      confusion: number[][];
    };
    expect(evaluation.classes).toEqual(['C', 'V', '_']);
    expect(evaluation.confusion).toHaveLength(3);
    // A tagger exports with predict.py (its parity with Unroll is src/cli/torch.test.ts).
    const exp = run('export', ['--model', join(out, 'model.safetensors'), '--out', join(dir, 'tag-export')]);
    expect(exp.code, exp.err).toBe(0);
    expect(readdirSync(join(dir, 'tag-export')).sort()).toEqual([
      'README.txt',
      'model.safetensors',
      'predict.py',
      'vocab.json',
    ]);

    const tsv = file(
      'own.tsv',
      Array.from(
        { length: 40 },
        (_, i) => `${'ab'.repeat(1 + (i % 5))}${i % 2 ? 'x' : ''}\t${i % 2 ? 'yes' : 'no'}`,
      ).join('\n'),
    );
    const c = run('train', [
      '--task',
      'classify',
      '--corpus',
      tsv,
      ...common,
      '--steps',
      '5',
      '--out',
      join(dir, 'own'),
    ]);
    expect(c.code, c.err).toBe(0);
    expect(JSON.parse(c.out.trim().split('\n').at(-1)!)).toMatchObject({ done: true, step: 5 });
    // The saved task model continues on the same examples.
    const model = join(dir, 'own', 'model.safetensors');
    const more = run('train', [
      ...['--task', 'classify', '--corpus', tsv],
      ...common,
      '--steps',
      '2',
      '--resume',
      model,
      '--out',
      join(dir, 'own2'),
    ]);
    expect(more.code, more.err).toBe(0);
    expect(JSON.parse(more.out.trim().split('\n').at(-1)!)).toMatchObject({ done: true, step: 7 });
  });
});

describe('CLI: a capped vocabulary', () => {
  it('--max-vocab maps the rarest characters to U+FFFD; the model resumes and samples', () => {
    const out = join(dir, 'capped');
    const corpus = file('cjk-ok.txt', cjk);
    const common = ['--corpus', corpus, '--backend', 'cpu', '--hidden', '8', '--embed', '8', '--layers', '1'];
    const r = run('train', [
      ...common,
      '--max-vocab',
      '40',
      '--seq',
      '8',
      '--batch',
      '4',
      '--steps',
      '2',
      '--out',
      out,
    ]);
    expect(r.code, r.err).toBe(0);
    expect(r.err).toMatch(/vocabulary 40,/);
    const model = join(out, 'model.safetensors');
    const more = run('train', [
      ...common,
      '--resume',
      model,
      '--steps',
      '1',
      '--json',
      '--out',
      join(dir, 'capped2'),
    ]);
    expect(more.code, more.err).toBe(0);
    expect(JSON.parse(more.out.trim().split('\n').at(-1)!)).toMatchObject({ done: true, step: 3 });
    // A prime with a character the model never saw is read as the unknown character.
    const s = run('sample', ['--model', model, '--backend', 'cpu', '--prime', '中the', '--length', '10']);
    expect(s.code, s.err).toBe(0);
    expect(s.out.startsWith('中the')).toBe(true);
  });
});

describe('CLI: a small run on the CPU backend', () => {
  const out = join(dir, 'run');
  it('trains with --json lines, samples, beams and exports', () => {
    const corpus = file('corpus.txt', text);
    const r = run('train', [
      ...['--corpus', corpus, '--backend', 'cpu', '--cell', 'gru', '--hidden', '12', '--layers', '1'],
      ...['--seq', '8', '--batch', '4', '--steps', '20', '--val-every', '10', '--lr', '0.01', '--json'],
      ...['--out', out],
    ]);
    expect(r.code, r.err).toBe(0);
    const lines = r.out
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    const steps = lines.filter((l) => !l.done && l.val_loss === undefined);
    expect(steps).toHaveLength(20);
    expect(Object.keys(steps[0]!).sort()).toEqual([
      'chars_per_s',
      'grad_norm',
      'loss',
      'lr',
      'ms_per_step',
      'step',
    ]);
    expect(lines.filter((l) => l.val_loss !== undefined && !l.done).map((l) => l.step)).toEqual([10, 20]);
    const done = lines.at(-1)!;
    expect(done).toMatchObject({ done: true, step: 20, checkpoint: join(out, 'model.safetensors') });
    expect(done.val_loss as number).toBeLessThan(Math.log(14));

    const model = join(out, 'model.safetensors');
    const s = run('sample', [
      '--model',
      model,
      '--backend',
      'cpu',
      '--prime',
      'the ',
      '--length',
      '30',
      '--seed',
      '3',
    ]);
    expect(s.code, s.err).toBe(0);
    expect([...s.out.trimEnd()].length).toBeGreaterThanOrEqual(4 + 20);
    expect(s.out.startsWith('the ')).toBe(true);
    const again = run('sample', [
      '--model',
      model,
      '--backend',
      'cpu',
      '--prime',
      'the ',
      '--length',
      '30',
      '--seed',
      '3',
    ]);
    expect(again.out).toBe(s.out);
    const unseen = run('sample', ['--model', model, '--backend', 'cpu', '--prime', 'Zebra']);
    expect(unseen.code).toBe(2);
    expect(unseen.err).toMatch(/never seen: "Z"/);
    const b = run('sample', [
      '--model',
      model,
      '--backend',
      'cpu',
      '--prime',
      'the ',
      '--length',
      '5',
      '--beam',
      '3',
    ]);
    expect(b.code, b.err).toBe(0);
    expect(b.out.match(/^# log-prob/gm)).toHaveLength(3);

    const exp = join(dir, 'export');
    const e = run('export', ['--model', model, '--out', exp]);
    expect(e.code, e.err).toBe(0);
    expect(readdirSync(exp).sort()).toEqual(['README.txt', 'model.safetensors', 'train.py', 'vocab.json']);
    expect(readFileSync(join(exp, 'train.py'), 'utf8')).toMatch(/nn\.GRU/);
    const py = spawnSync('python3', ['-m', 'py_compile', join(exp, 'train.py')], { encoding: 'utf8' });
    expect(py.status, py.stderr || String(py.error)).toBe(0);
    const twice = run('export', ['--model', model, '--out', exp]);
    expect(twice.code).toBe(2);
    expect(run('train', ['--corpus', corpus, '--out', out, '--backend', 'cpu']).err).toMatch(/exists/);
  }, 120_000);

  it('--val-every 0 trains and saves without any validation pass', () => {
    const r = run('train', [
      ...['--corpus', file('corpus.txt', text), '--resume', join(out, 'model.safetensors')],
      ...['--backend', 'cpu', '--steps', '3', '--val-every', '0', '--json', '--out', join(dir, 'noval')],
    ]);
    expect(r.code, r.err).toBe(0);
    const lines = r.out
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.filter((l) => 'val_loss' in l && !l.done)).toEqual([]);
    expect(lines.at(-1)).toMatchObject({ done: true, step: 23, val_loss: null });
    expect(existsSync(join(dir, 'noval', 'model.safetensors'))).toBe(true);
  }, 60_000);
});
