// "Export for scaling out": the files of a folder a user takes to PyTorch — model.safetensors (the
// checkpoint, PyTorch state_dict names), vocab.json, and train.py (standard library + torch) that rebuilds
// the same model from nn.Embedding / nn.LSTM|GRU|RNN / nn.Linear, evaluates it and keeps training, on one
// GPU or several with torchrun. Peephole LSTMs have no PyTorch module and are refused with a plain reason.
import { type Checkpoint, encodeCheckpoint } from './checkpoint';
import trainPy from './torch_train.py?raw';

export interface ExportFile {
  name: string;
  data: Uint8Array | string;
}

export function exportFiles(ck: Checkpoint): ExportFile[] {
  if (ck.task)
    throw new Error(
      `This is a ${ck.task.kind} task model; the PyTorch export (train.py) rebuilds character language models only. Its model.safetensors already uses PyTorch's state_dict names.`,
    );
  if (ck.model.cell === 'lstm-peephole')
    throw new Error(
      'Peephole LSTMs cannot be exported to PyTorch: nn.LSTM has no peephole connections. Train an lstm, gru or rnn model to take it to PyTorch.',
    );
  const m = ck.model;
  const config = {
    model: m,
    train: ck.train,
    valFraction: ck.data.valFraction,
    maxVocab: ck.data.maxVocab ?? 0,
    step: ck.step,
  };
  const summary = `${m.cell} ${m.layers}×${m.hiddenSize}, vocabulary ${m.vocabSize}, step ${ck.step}${ck.valLoss !== undefined ? `, validation ${ck.valLoss.toFixed(4)} nats/char` : ''}`;
  // The JSON sits in a raw triple-quoted Python string: it never contains ''' (JSON has no single quotes
  // outside strings, and the configs hold no strings with quotes).
  const json = JSON.stringify(config, null, 2);
  if (json.includes("'''")) throw new Error('export: configuration cannot be embedded');
  const script = trainPy.replace('@SUMMARY@', () => summary).replace('@CONFIG@', () => json);
  const readme = `Unroll export: ${summary}

  model.safetensors  weights with PyTorch state_dict names (+ optimiser moments and carried state)
  vocab.json         the characters, by token id
  train.py           rebuilds the model in PyTorch (nn.Embedding → nn.${m.cell === 'lstm' ? 'LSTM' : m.cell === 'gru' ? 'GRU' : 'RNN'} → nn.Linear),
                     evaluates it and continues training; needs only Python 3.8+ and PyTorch

  python train.py --corpus YOUR_TEXT.txt --eval-only     # the validation loss, as Unroll reported it
  python train.py --corpus YOUR_TEXT.txt --steps 5000    # keep training (GPU when present)
  torchrun --nproc_per_node=8 train.py --corpus YOUR_TEXT.txt --steps 20000   # several GPUs (DDP)

train.py writes trained.safetensors in Unroll's format: open it in Unroll or run \`npm run sample -- --model trained.safetensors\`.
`;
  return [
    { name: 'model.safetensors', data: encodeCheckpoint(ck) },
    { name: 'vocab.json', data: JSON.stringify(ck.vocab) },
    { name: 'train.py', data: script },
    { name: 'README.txt', data: readme },
  ];
}
