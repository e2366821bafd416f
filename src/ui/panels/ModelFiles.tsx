// Model files: download a checkpoint (safetensors with PyTorch names), load one to continue training on the
// same corpus (button or drop), with errors for damaged or mismatched files.
import { useState } from 'react';
import { runActions } from '../../state/runActions';
import { useRunStore } from '../../state/runStore';
import { downloadBlob } from '../download';

export function ModelFiles() {
  const ready = useRunStore((s) => s.run.status === 'ready');
  const [busy, setBusy] = useState(false);
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
            if (f) runActions.load(await f.arrayBuffer());
          }}
        />
      </label>
    </span>
  );
}
