// Corpus: paste text, drop or pick a .txt file (read asynchronously, up to 50 MB), or choose one of the
// generated teaching presets; stats show the size, the vocabulary and the rarest characters.
import { useEffect, useMemo, useState } from 'react';
import { PRESETS, runActions } from '../../state/runActions';
import { useRunStore } from '../../state/runStore';
import { corpusStats } from '../corpusStats';

const MAX_BYTES = 50 * 2 ** 20;
/** Longer texts are not shown in the textarea (it would make typing slow); they stay loaded. */
const SHOW_LIMIT = 200_000;

export function CorpusPanel() {
  const corpus = useRunStore((s) => s.corpus);
  const [error, setError] = useState<string | null>(null);
  const [drag, setDrag] = useState(false);
  const stats = useMemo(() => corpusStats(corpus.text), [corpus.text]);
  const src = corpus.source;
  const preset = src.kind === 'preset' ? PRESETS.find((p) => p.id === src.id) : undefined;
  const big = corpus.text.length > SHOW_LIMIT;
  const [draft, setDraft] = useState(corpus.text);
  useEffect(() => setDraft(big ? '' : corpus.text), [corpus.text, big]);

  const readFile = async (file: File) => {
    setError(null);
    if (file.size > MAX_BYTES)
      return setError(`${file.name} is ${(file.size / 2 ** 20).toFixed(0)} MB; the limit is 50 MB.`);
    try {
      const bytes = new Uint8Array(await file.arrayBuffer());
      const text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
      if (text.includes('\0'))
        return setError(`${file.name} contains NUL bytes: it is a binary file, not text.`);
      runActions.setCorpusText(text, file.name);
    } catch {
      setError(`${file.name} is not UTF-8 text. Save it as UTF-8 (plain text) and try again.`);
    }
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
        {stats.problem ? (
          <span className="error">{stats.problem}</span>
        ) : (
          <>
            <b>{stats.chars.toLocaleString('en-US')}</b> characters · vocabulary <b>{stats.vocab}</b>
            {stats.rare.length > 0 && (
              <>
                {' '}
                · rarest{' '}
                <span className="mono">
                  {stats.rare.map((r) => JSON.stringify(r.ch).slice(1, -1)).join(' ')}
                </span>
              </>
            )}
          </>
        )}
      </p>
    </section>
  );
}
