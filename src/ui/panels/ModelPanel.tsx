// Model and training settings: the cell with its equations, sizes, window, optimiser, clipping and switches,
// with the live parameter count and GPU memory estimate; invalid values are refused with the reason.
import { CELL_TYPES, type CellType, OPTIMIZER_TYPES, type OptimizerType } from '../../core/config';
import { runActions } from '../../state/runActions';
import { type TaskChoice, useRunStore } from '../../state/runStore';
import { useEstimate } from '../hooks/useEstimate';
import { formatBytes } from '../format';
import { NumberField } from '../NumberField';
import { Switch } from '../Switch';
import { TASK_SWITCHES } from './taskSwitches';
import { isEncoderDecoder, taskSwitch } from '../../core/tasks';
import { CELL_NOTES } from './cells';
import { ModelFiles } from './ModelFiles';

const HIDDEN = [8, 16, 32, 64, 128, 256, 512, 1024];

const TASK_OPTIONS: [TaskChoice['kind'], string][] = [
  ['lm', 'Next character (language model)'],
  ['classify', 'Classify a sequence (many-to-one)'],
  ['tag', 'Tag each character (many-to-many)'],
  ['seq2seq', 'Sequence to sequence (encoder–decoder)'],
  ['generate', 'Generate from a label (one-to-many)'],
];

export function ModelPanel() {
  const task = useRunStore((s) => s.task.kind);
  const { model, train } = useRunStore();
  const est = useEstimate();
  const encDec = task !== 'lm' && isEncoderDecoder(task);
  // The task's model switch (attention or a reverse layer); an encoder–decoder has no learned h₀ either way.
  const sw = task === 'lm' ? null : taskSwitch(task);
  const note = CELL_NOTES[model.cell];
  const lrExp = Math.log10(train.learningRate);
  return (
    <section className="card model" aria-labelledby="model-title">
      <h2 id="model-title">2 · Model</h2>
      <div className="row">
        <label className="field grow" title="What the network learns: the next character, or a sequence task">
          <span>Task</span>
          <select
            data-testid="task-select"
            value={task}
            onChange={(e) => runActions.setTask({ kind: e.target.value as TaskChoice['kind'] })}
          >
            {TASK_OPTIONS.map(([k, label]) => (
              <option key={k} value={k}>
                {label}
              </option>
            ))}
          </select>
        </label>
      </div>
      <div className="row">
        <label className="field grow">
          <span>Cell</span>
          <select
            data-testid="cell-select"
            value={model.cell}
            onChange={(e) => runActions.setModel({ cell: e.target.value as CellType })}
          >
            {CELL_TYPES.map((c) => (
              <option key={c} value={c}>
                {CELL_NOTES[c].name}
              </option>
            ))}
          </select>
        </label>
      </div>
      <p className="hint">{note.note}</p>
      <div className="equations" aria-label={`${note.name} equations`}>
        {note.eq.map((l) => (
          <div key={l}>{l}</div>
        ))}
      </div>
      <div className="fields">
        <label className="field">
          <span>Hidden units</span>
          <select
            value={model.hiddenSize}
            data-testid="hidden-select"
            onChange={(e) =>
              runActions.setModel({ hiddenSize: Number(e.target.value), embedSize: Number(e.target.value) })
            }
          >
            {HIDDEN.map((h) => (
              <option key={h}>{h}</option>
            ))}
          </select>
        </label>
        <NumberField
          label="Layers"
          value={model.layers}
          min={1}
          max={4}
          onChange={(v) => runActions.setModel({ layers: v })}
        />
        {task === 'lm' && (
          <NumberField
            label="BPTT length"
            value={train.seqLen}
            min={1}
            max={1024}
            testId="seq-input"
            onChange={(v) => runActions.setTrain({ seqLen: v })}
            title="Characters per training window (T)"
          />
        )}
        <NumberField
          label="Batch"
          value={train.batchSize}
          min={1}
          max={1024}
          testId="batch-input"
          onChange={(v) => runActions.setTrain({ batchSize: v })}
          title="Parallel streams (B)"
        />
        <label className="field wide">
          <span>
            Learning rate <b className="mono">{train.learningRate.toPrecision(2)}</b>
          </span>
          <input
            type="range"
            min={-4}
            max={-0.5}
            step={0.05}
            value={lrExp}
            data-testid="lr-slider"
            onChange={(e) =>
              runActions.setTrain({ learningRate: Number((10 ** Number(e.target.value)).toPrecision(2)) })
            }
          />
        </label>
        <label className="field">
          <span>Optimizer</span>
          <select
            value={train.optimizer}
            onChange={(e) => runActions.setTrain({ optimizer: e.target.value as OptimizerType })}
          >
            {OPTIMIZER_TYPES.map((o) => (
              <option key={o} value={o}>
                {o === 'sgd' ? 'SGD + momentum' : o === 'rmsprop' ? 'RMSProp' : 'Adam'}
              </option>
            ))}
          </select>
        </label>
        <NumberField
          label="Clip ‖g‖ at"
          value={train.clipNorm}
          min={0}
          max={1000}
          step={0.5}
          onChange={(v) => runActions.setTrain({ clipNorm: v })}
          title="0 turns clipping off"
        />
        <NumberField
          label="Seed"
          value={train.seed}
          min={0}
          max={4294967295}
          onChange={(v) => runActions.setTrain({ seed: v })}
        />
        {task === 'lm' ? (
          <Switch
            checked={train.carryState}
            onChange={(on) => runActions.setTrain({ carryState: on })}
            title="Truncated BPTT: each window starts from the previous window's final state"
          >
            carry state across windows
          </Switch>
        ) : encDec ? (
          <p className="hint wide">
            The encoder reads the input; its final state starts the decoder, which writes the output after a
            start token until it predicts the end (teacher forcing while training). Each batch holds inputs of
            one length.
          </p>
        ) : (
          <p className="hint wide">
            Each batch holds whole examples, padded to the longest input;{' '}
            {model.bidirectional
              ? 'the forward layer reads each from its first character, the reverse layer from its last.'
              : 'every example starts from h₀.'}
          </p>
        )}
        {sw && (
          <Switch
            checked={!!model[sw]}
            onChange={(on) => runActions.setModel(on ? { [sw]: true, layers: 1 } : { [sw]: false })}
            title={TASK_SWITCHES[sw].title}
            testId={`${sw}-toggle`}
          >
            {TASK_SWITCHES[sw].label}
          </Switch>
        )}
        {!encDec && (!sw || !model[sw]) ? (
          <Switch
            checked={model.learnedInit}
            onChange={(on) => runActions.setModel({ learnedInit: on })}
            title="Train the initial state h₀ (and c₀) instead of starting from zeros"
          >
            learned h₀
          </Switch>
        ) : null}
      </div>
      {est.problems.length ? (
        <p className="error" role="alert" data-testid="config-problems">
          {est.problems.join(' ')}
        </p>
      ) : (
        <p className="stats" data-testid="model-estimate">
          <b>{est.params.toLocaleString('en-US')}</b> parameters · about <b>{formatBytes(est.bytes)}</b> of
          GPU memory
        </p>
      )}
      <div className="row files-row">
        <span className="muted small">Model file</span>
        <ModelFiles />
      </div>
    </section>
  );
}
