// Try an encoder–decoder model on your own input: greedy decoding (beam 1) or beam search, the outputs best
// first with their log-probabilities per token (END included), decoded by the worker on the model as it is now.
import { decodeActions, useDecodeStore } from '../../state/decodeActions';
import { NumberField } from '../NumberField';

export function DecodeBox({ generate }: { generate: boolean }) {
  const { input, beam, running, result, error } = useDecodeStore();
  return (
    <div className="decode-box">
      <form
        className="row"
        onSubmit={(e) => {
          e.preventDefault();
          decodeActions.run();
        }}
      >
        <label className="field grow">
          <span>{generate ? 'Label' : 'Your input'}</span>
          <input
            type="text"
            className="mono"
            data-testid="decode-input"
            value={input}
            placeholder={generate ? 'e.g. 42' : 'e.g. abcde'}
            onChange={(e) => decodeActions.set({ input: e.target.value })}
          />
        </label>
        <NumberField
          label="Beam"
          value={beam}
          min={1}
          max={8}
          testId="decode-beam"
          onChange={(v) => decodeActions.set({ beam: v })}
          title="1 = greedy: the likeliest character at each step; more keeps that many partial outputs"
        />
        <button type="submit" data-testid="decode-button" disabled={running}>
          {running ? 'Decoding…' : 'Decode'}
        </button>
      </form>
      {error && (
        <p className="error" role="alert" data-testid="decode-error">
          {error}
        </p>
      )}
      {result && !error && (
        <ol className="decode-output mono" data-testid="decode-output">
          {result.outputs.map((o, i) => (
            <li key={i}>
              <bdi>{o.text || '(empty)'}</bdi>{' '}
              <span className="muted small">
                log p {o.logProb.toFixed(2)} ({(o.logProb / ([...o.text].length + 1)).toFixed(2)} per token)
              </span>
            </li>
          ))}
        </ol>
      )}
    </div>
  );
}
