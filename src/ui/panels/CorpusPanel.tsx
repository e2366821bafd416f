// Corpus: paste text, drop or pick a .txt file (read asynchronously, up to 50 MB), or choose one of the
// generated teaching presets; stats show the size, the vocabulary and the rarest characters.
import { useEffect, useState } from 'react';
import { PRESETS, runActions } from '../../state/runActions';
import { useRunStore } from '../../state/runStore';
import { vocabProblem } from '../../core/corpus';
import { MAX_VOCAB } from '../../core/vocab';
import { showChar } from '../format';
import { NumberField } from '../NumberField';

const MAX_BYTES = 50 * 2 ** 20;
/** Longer texts are not shown in the textarea (it would make typing slow); they stay loaded. */
const SHOW_LIMIT = 200_000;
/** The vocabulary cap field appears for corpora with more distinct characters than this (or once set). */
const VOCAB_FIELD_FROM = 256;

/**
 * The file as text, decoded in 1 MB pieces between which the page stays responsive (one decode of a 50 MB
 * file would block it). Undecodable bytes become U+FFFD and NUL bytes stay; the statistics report both.
 */
async function readText(file: File): Promise<string> {
  const dec = new TextDecoder('utf-8');
  const parts: string[] = [];
  for (let a = 0; a < file.size; a += 1 << 20) {
    parts.push(dec.decode(await file.slice(a, a + (1 << 20)).arrayBuffer(), { stream: true }));
  }
  parts.push(dec.decode());
  return parts.join('');
}

export function CorpusPanel() {
  const corpus = useRunStore((s) => s.corpus);
  const [error, setError] = useState<string | null>(null);
  const [drag, setDrag] = useState(false);
  const stats = corpus.stats;
  const maxVocab = useRunStore((s) => s.maxVocab);
  const vocabIssue = stats ? vocabProblem(stats.vocab, maxVocab) : null;
  const src = corpus.source;
  const preset = src.kind === 'preset' ? PRESETS.find((p) => p.id === src.id) : undefined;
  const big = corpus.text.length > SHOW_LIMIT;
  const [draft, setDraft] = useState(corpus.text);
  useEffect(() => setDraft(big ? '' : corpus.text), [corpus.text, big]);

  const readFile = async (file: File) => {
    setError(null);
    if (file.size > MAX_BYTES)
      return setError(`${file.name} is ${(file.size / 2 ** 20).toFixed(0)} MB; the limit is 50 MB.`);
    runActions.setCorpusText(await readText(file), file.name);
  };

  return (
    <section
      className={`card corpus${drag ? ' dropping' : ''}`}
      aria-labelledby="corpus-title"
      onDragOver={(e) => (e.preventDefault(), setDrag(true))}
      onDragLeave={() => setDrag(false)}
      onDrop={(e) => {
        e.preventDefault();
        setDrag(false);
        const f = e.dataTransfer.files[0];
        if (f) void readFile(f);
      }}
    >
      <h2 id="corpus-title">1 · Corpus</h2>
      <div className="row">
        <select
          aria-label="Preset corpus"
          data-testid="corpus-preset"
          value={preset?.id ?? ''}
          onChange={(e) => (e.target.value ? runActions.usePreset(e.target.value) : undefined)}
        >
          <option value="">Your own text</option>
          {PRESETS.map((p) => (
            <option key={p.id} value={p.id}>
              Preset: {p.title}
            </option>
          ))}
        </select>
        <label className="button small">
          Open .txt…
          <input
            type="file"
            accept=".txt,text/plain"
            data-testid="corpus-file"
            hidden
            onChange={(e) => {
              const f = e.target.files?.[0];
              if (f) void readFile(f);
              e.target.value = '';
            }}
          />
        </label>
      </div>
      {preset && <p className="hint">{preset.shows}</p>}
      <textarea
        data-testid="corpus-input"
        aria-label="Corpus text"
        spellCheck={false}
        dir="auto"
        value={draft}
        placeholder={
          big
            ? `${corpus.source.kind === 'text' && corpus.source.name ? corpus.source.name : 'A long text'} is loaded (too long to show here). Paste to replace it.`
            : 'Paste any text here, or drop a .txt file on this panel.'
        }
        onChange={(e) => setDraft(e.target.value)}
        onBlur={() => draft !== corpus.text && !(big && draft === '') && runActions.setCorpusText(draft)}
      />
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      <p className="stats" data-testid="corpus-stats">
        {!stats ? (
          <span>Counting characters…</span>
        ) : stats.problem ? (
          <span className="error">{stats.problem}</span>
        ) : (
          <>
            <b>{stats.chars.toLocaleString('en-US')}</b> characters · vocabulary{' '}
            <b>{stats.vocab.toLocaleString('en-US')}</b>
            {src.kind === 'text' && src.name && (
              <>
                {' '}
                · from <bdi data-testid="corpus-name">{src.name}</bdi>
              </>
            )}
            {stats.rare.length > 0 && (
              <>
                {' '}
                · rarest{' '}
                <span className="mono rare-chars">
                  {stats.rare.map((r) => (
                    <bdi
                      key={r.ch}
                      title={`U+${r.ch.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')} × ${r.count}`}
                    >
                      {showChar(r.ch)}
                    </bdi>
                  ))}
                </span>
              </>
            )}
          </>
        )}
      </p>
      {vocabIssue && !stats?.problem && (
        <p className="error" role="alert" data-testid="vocab-problem">
          {vocabIssue}
        </p>
      )}
      {stats && (stats.vocab > VOCAB_FIELD_FROM || maxVocab > 0) && (
        <NumberField
          inline
          label="Vocabulary cap"
          title="Rarer characters beyond the cap all become one unknown character, U+FFFD"
          value={maxVocab}
          min={0}
          max={MAX_VOCAB}
          testId="max-vocab"
          onChange={(v) => runActions.setMaxVocab(Math.max(0, Math.round(v) || 0))}
        >
          <span className="muted small">
            {maxVocab > 0 && stats.vocab > maxVocab
              ? `keeps the ${(maxVocab - 1).toLocaleString('en-US')} most frequent; the ${(stats.vocab - maxVocab + 1).toLocaleString('en-US')} rarest become �`
              : `0 = none; at most ${MAX_VOCAB.toLocaleString('en-US')} distinct characters`}
          </span>
        </NumberField>
      )}
    </section>
  );
}
