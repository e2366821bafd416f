// Model files: download a checkpoint (safetensors with PyTorch names), load one to continue training on the
// same corpus (button or drop), with errors for damaged or mismatched files.
import { useState } from 'react';
import { isEncoderDecoder } from '../../core/tasks';
import { runActions } from '../../state/runActions';
import { useRunStore } from '../../state/runStore';
import { downloadBlob } from '../download';

export function ModelFiles() {
  const ready = useRunStore((s) => s.run.status === 'ready');
  const peephole = useRunStore((s) => s.run.info?.model.cell === 'lstm-peephole');
  const task = useRunStore((s) => s.run.info?.task?.kind);
  // Task models get predict.py (an encoder–decoder's decodes), language models train.py.
  const encDec = task !== undefined && isEncoderDecoder(task);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const exportTorch = async () => {
    setBusy(true);
    setError(null);
    try {
      const { zip, name } = await runActions.exportTorch();
      downloadBlob(new Blob([zip as Uint8Array<ArrayBuffer>], { type: 'application/zip' }), name);
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    }
    setBusy(false);
  };
  const download = async () => {
    setBusy(true);
    const { bytes, name } = await runActions.download(true);
    downloadBlob(new Blob([bytes], { type: 'application/octet-stream' }), name);
    setBusy(false);
  };
  return (
    <span className="files">
      <button
        type="button"
        data-testid="download-model"
        disabled={!ready || busy}
        onClick={() => void download()}
        title="safetensors with PyTorch state_dict names, optimiser state included"
      >
        Download
      </button>
      <button
        type="button"
        className="small"
        data-testid="export-torch"
        disabled={!ready || busy || peephole}
        title={
          peephole
            ? 'Peephole LSTMs have no PyTorch module: they cannot be exported'
            : encDec
              ? 'A folder for PyTorch: model.safetensors, vocab.json and a predict.py that rebuilds the encoder and decoder and decodes inputs (greedy or beam search) or scores examples'
              : task
                ? 'A folder for PyTorch: model.safetensors, vocab.json and a predict.py that rebuilds the model and predicts or evaluates examples'
                : 'A folder for PyTorch: model.safetensors, vocab.json and a train.py that continues training (also with torchrun)'
        }
        onClick={() => void exportTorch()}
      >
        PyTorch…
      </button>
      <label className="button small" title="Continue a run saved from this corpus">
        Load…
        <input
          type="file"
          accept=".safetensors"
          hidden
          data-testid="load-model"
          onChange={async (e) => {
            const f = e.target.files?.[0];
            e.target.value = '';
            if (f) runActions.load(await f.arrayBuffer(), f.name);
          }}
        />
      </label>
      {error && (
        <span className="error" role="alert">
          {error}
        </span>
      )}
    </span>
  );
}
