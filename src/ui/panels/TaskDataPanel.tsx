// The data of a sequence task (issue 9), in place of the corpus panel: a generated teaching task of the chosen
// kind (seeded, with what it shows and a few examples), or the user's own examples, one per line as
// input<TAB>label (classify), input<TAB>tags with one tag per character (tag) or input<TAB>output
// (seq2seq, generate), checked as they are typed.
import { useMemo, useState } from 'react';
import { DEFAULT_TASK_EXAMPLES, GENERATED_TASKS, type TaskKind, parseExamples } from '../../core/tasks';
import { runActions } from '../../state/runActions';
import { useRunStore } from '../../state/runStore';

export function TaskDataPanel({ kind }: { kind: TaskKind }) {
  const task = useRunStore((s) => s.task);
  const seed = useRunStore((s) => s.train.seed);
  const tasks = GENERATED_TASKS.filter((t) => t.kind === kind);
  const generated = tasks.find((t) => t.id === task.generated);
  const [draft, setDraft] = useState(task.text);
  const preview = useMemo(() => generated?.generate(seed, 4) ?? [], [generated, seed]);
  // One-to-many tasks list each label once (words: 100, depth: 12), whatever count is asked.
  const count = useMemo(
    () => (generated ? generated.generate(seed, DEFAULT_TASK_EXAMPLES).length : 0),
    [generated, seed],
  );
  const check = useMemo(() => {
    if (generated) return null;
    try {
      return { count: parseExamples(task.text, kind).length, error: null };
    } catch (e) {
      return { count: 0, error: e instanceof Error ? e.message : String(e) };
    }
  }, [generated, task.text, kind]);
  return (
    <section className="card corpus" aria-labelledby="task-data-title">
      <h2 id="task-data-title">1 · Examples</h2>
      <select
        aria-label="Task data"
        data-testid="task-preset"
        value={generated?.id ?? ''}
        onChange={(e) => runActions.setTask({ generated: e.target.value })}
      >
        {tasks.map((t) => (
          <option key={t.id} value={t.id}>
            Generated: {t.title}
          </option>
        ))}
        <option value="">Your own examples</option>
      </select>
      {generated ? (
        <>
          <p className="hint">{generated.shows}</p>
          <table className="examples mono" data-testid="task-examples">
            <tbody>
              {preview.map((e, i) => (
                <tr key={i}>
                  <td>
                    <bdi>{e.input}</bdi>
                  </td>
                  <td>→</td>
                  <td>
                    <bdi>{e.target}</bdi>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          <p className="stats">
            {count.toLocaleString('en-US')}{' '}
            {kind === 'generate' ? 'examples' : `seeded examples (seed ${seed})`};{' '}
            {kind === 'generate'
              ? 'evaluated on the labels it trains on (there is nothing unseen to generalise to).'
              : '10 % held out for validation.'}
          </p>
        </>
      ) : (
        <>
          <textarea
            data-testid="task-input"
            aria-label="Task examples"
            spellCheck={false}
            dir="auto"
            value={draft}
            placeholder={
              kind === 'tag'
                ? 'One example per line: input, a tab, then one tag character per input character\nhello\tCVCCV'
                : kind === 'seq2seq'
                  ? 'One example per line: input, a tab, then the output to write\nhello\tolleh'
                  : kind === 'generate'
                    ? 'One example per line: a label (one token), a tab, then the sequence to write\n3\tthree'
                    : 'One example per line: input, a tab, then its label\ngreat film\tpositive'
            }
            onChange={(e) => setDraft(e.target.value)}
            onBlur={() => draft !== task.text && runActions.setTask({ text: draft })}
          />
          {check?.error ? (
            <p className="error" role="alert" data-testid="task-problem">
              {check.error}
            </p>
          ) : (
            <p className="stats">{check?.count.toLocaleString('en-US')} examples</p>
          )}
        </>
      )}
    </section>
  );
}
