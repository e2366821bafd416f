// "Export for scaling out": the files of a folder a user takes to PyTorch — model.safetensors (the
// checkpoint, PyTorch state_dict names), vocab.json, and train.py (standard library + torch) that rebuilds
// the same model from nn.Embedding / nn.LSTM|GRU|RNN / nn.Linear, evaluates it and keeps training, on one
// GPU or several with torchrun; for a task model predict.py, which rebuilds it and predicts (classifier,
// tagger: torch_task.py; encoder–decoder: torch_seq2seq.py). Peephole LSTMs have no PyTorch module and are
// refused with a plain reason.
import { type Checkpoint, encodeCheckpoint } from './checkpoint';
import { isEncoderDecoder } from './tasks';
import commonPy from './torch_common.py?raw';
import seq2seqPy from './torch_seq2seq.py?raw';
import taskPy from './torch_task.py?raw';
import trainPy from './torch_train.py?raw';

export interface ExportFile {
  name: string;
  data: Uint8Array | string;
}

/**
 * A script from its template: the shared head (torch_common.py, its own leading comment dropped) at
 * @COMMON@, the configuration as JSON in a raw triple-quoted string (JSON has no ''' outside strings, and
 * these configs hold none inside), and a one-line summary.
 */
function script(template: string, config: object, summary: string): string {
  const json = JSON.stringify(config, null, 2);
  if (json.includes("'''")) throw new Error('export: configuration cannot be embedded');
  const common = commonPy.replace(/^(#.*\n)+/, '');
  return template
    .replace('@COMMON@', () => common.trimEnd())
    .replace('@SUMMARY@', () => summary)
    .replace('@CONFIG@', () => json);
}

const moduleName = (cell: string) => (cell === 'lstm' ? 'LSTM' : cell === 'gru' ? 'GRU' : 'RNN');

export function exportFiles(ck: Checkpoint): ExportFile[] {
  if (ck.model.cell === 'lstm-peephole')
    throw new Error(
      'Peephole LSTMs cannot be exported to PyTorch: nn.LSTM has no peephole connections. Train an lstm, gru or rnn model to take it to PyTorch.',
    );
  if (ck.task) return taskFiles(ck, ck.task);
  const m = ck.model;
  const config = {
    model: m,
    train: ck.train,
    valFraction: ck.data.valFraction,
    maxVocab: ck.data.maxVocab ?? 0,
    step: ck.step,
  };
  const summary = `${m.cell} ${m.layers}×${m.hiddenSize}, vocabulary ${m.vocabSize}, step ${ck.step}${ck.valLoss !== undefined ? `, validation ${ck.valLoss.toFixed(4)} nats/char` : ''}`;
  const readme = `Unroll export: ${summary}

  model.safetensors  weights with PyTorch state_dict names (+ optimiser moments and carried state)
  vocab.json         the characters, by token id
  train.py           rebuilds the model in PyTorch (nn.Embedding → nn.${moduleName(m.cell)} → nn.Linear),
                     evaluates it and continues training; needs only Python 3.8+ and PyTorch

  python train.py --corpus YOUR_TEXT.txt --eval-only     # the validation loss, as Unroll reported it
  python train.py --corpus YOUR_TEXT.txt --steps 5000    # keep training (GPU when present)
  torchrun --nproc_per_node=8 train.py --corpus YOUR_TEXT.txt --steps 20000   # several GPUs (DDP)

train.py writes trained.safetensors in Unroll's format: open it in Unroll or run \`npm run sample -- --model trained.safetensors\`.

Without a GPU, PyTorch is as fast as its BLAS: Debian's python3-torch falls back to the reference BLAS
unless OpenBLAS is installed (apt-get install libopenblas0-pthread), about 20x slower for a 2x512 LSTM.
`;
  return [
    { name: 'model.safetensors', data: encodeCheckpoint(ck) },
    { name: 'vocab.json', data: JSON.stringify(ck.vocab) },
    { name: 'train.py', data: script(trainPy, config, summary) },
    { name: 'README.txt', data: readme },
  ];
}

/**
 * A classifier or tagger: predict.py rebuilds it (nn.Embedding → nn.LSTM/GRU/RNN, bidirectional when it is →
 * nn.Linear) and predicts or evaluates example files. Encoder–decoders get their own predict.py.
 */
function taskFiles(ck: Checkpoint, task: NonNullable<Checkpoint['task']>): ExportFile[] {
  if (isEncoderDecoder(task.kind)) return encoderDecoderFiles(ck, task);
  const m = ck.model;
  const summary = `${task.kind} ${m.cell} ${m.layers}×${m.hiddenSize}${m.bidirectional ? ' bidirectional' : ''}, ${task.classes.length} classes, step ${ck.step}`;
  const readme = `Unroll export: ${summary}

  model.safetensors  weights with PyTorch state_dict names
  vocab.json         the input characters by token id ("\u0000" pads)
  predict.py         rebuilds the model in PyTorch (nn.Embedding → nn.${moduleName(m.cell)}${m.bidirectional ? '(bidirectional=True)' : ''} → nn.Linear)
                     and runs it; needs only Python 3.8+ and PyTorch

  python predict.py --predict inputs.txt     # one input per line → JSON lines with the ${task.kind === 'classify' ? 'label' : 'tags'} and probabilities
  python predict.py --eval examples.txt      # input<TAB>${task.kind === 'classify' ? 'label' : 'tags'} lines → loss and accuracy
`;
  return [
    { name: 'model.safetensors', data: encodeCheckpoint(ck) },
    { name: 'vocab.json', data: JSON.stringify(ck.vocab) },
    {
      name: 'predict.py',
      data: script(taskPy, { model: m, task: task.kind, classes: task.classes }, summary),
    },
    { name: 'README.txt', data: readme },
  ];
}

/**
 * An encoder–decoder (seq2seq, generate): predict.py rebuilds both stacks from PyTorch modules (attention's W_c
 * as extra input columns of the decoder cell) and decodes greedily or by beam search, stopping where Unroll
 * does: at END or after the model's decoder steps, and refusing inputs longer than the longest it trained on.
 */
function encoderDecoderFiles(ck: Checkpoint, task: NonNullable<Checkpoint['task']>): ExportFile[] {
  const m = ck.model;
  // The window holds the longest source and then the decoder's steps. A file from before decoderSteps was
  // saved bounds either by the window less one step.
  const T = ck.train.seqLen;
  const decoderSteps = task.decoderSteps ?? T - 1;
  const sourceSteps = task.decoderSteps ? T - task.decoderSteps : T - 1;
  const what = task.kind === 'generate' ? 'label' : 'input';
  const summary = `${task.kind} ${m.cell} ${m.layers}×${m.hiddenSize}${m.attention ? ' with attention' : ''}, ${task.sources?.length ?? 0} ${task.kind === 'generate' ? 'labels' : 'input characters'}, ${task.classes.length - 1} output characters, step ${ck.step}`;
  const readme = `Unroll export: ${summary}

  model.safetensors  weights with PyTorch state_dict names (encoder.*, decoder.*${m.attention ? ', attention.*' : ''}, head.*)
  vocab.json         the decoder's tokens by id: END ("\u0000") first, then the output characters
  predict.py         rebuilds the encoder and decoder in PyTorch (nn.Embedding → nn.${moduleName(m.cell)} each, → nn.Linear)
                     and decodes; needs only Python 3.8+ and PyTorch

  python predict.py --predict inputs.txt            # one ${what} per line → JSON lines with the greedy output
  python predict.py --predict inputs.txt --beam 4   # the 4 best outputs by beam search
  python predict.py --eval examples.txt             # ${what}<TAB>output lines → loss, accuracy and exact matches
`;
  const config = {
    model: m,
    task: task.kind,
    sources: task.sources ?? [],
    decoderSteps,
    sourceSteps,
  };
  return [
    { name: 'model.safetensors', data: encodeCheckpoint(ck) },
    { name: 'vocab.json', data: JSON.stringify(task.classes) },
    { name: 'predict.py', data: script(seq2seqPy, config, summary) },
    { name: 'README.txt', data: readme },
  ];
}
