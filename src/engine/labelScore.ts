// The running score of a classify or tag evaluation (TaskModel.evaluate), batch by batch: the loss over labelled
// positions, labels right (per example for classify, per character for tag), whole examples right, the
// confusion matrix (rows: the truth, columns: the prediction) and the first examples with their answers.
import { NO_TARGET } from '../core/batches';
import type { Example } from '../core/tasks';
import type { Prediction, TaskEvaluation } from './taskTypes';

export class LabelScore {
  readonly confusion: number[][];
  readonly predictions: Prediction[] = [];
  private loss = 0;
  private labelled = 0;
  private right = 0;
  private exact = 0;
  private examples = 0;

  constructor(
    private readonly classes: string[],
    private readonly classOf: (label: string) => number,
    private readonly tagged: boolean,
    private readonly shown: number,
  ) {
    this.confusion = classes.map(() => new Array<number>(classes.length).fill(0));
  }

  /** A batch: its examples with their predicted labels (row b), log-probabilities (rows, O) and targets. */
  add(chunk: readonly Example[], predicted: (b: number) => string, logp: Float64Array, targets: Uint32Array) {
    const O = this.classes.length;
    chunk.forEach((e, b) => {
      const guessed = predicted(b);
      const truth = this.tagged ? [...e.target] : [e.target];
      const guess = this.tagged ? [...guessed] : [guessed];
      truth.forEach((y, i) => {
        this.confusion[this.classOf(y)]![this.classOf(guess[i]!)]!++;
        if (y === guess[i]) this.right++;
      });
      const ok = truth.every((y, i) => y === guess[i]);
      if (ok) this.exact++;
      if (this.predictions.length < this.shown)
        this.predictions.push({ input: e.input, target: e.target, predicted: guessed, correct: ok });
    });
    this.examples += chunk.length;
    targets.forEach((y, r) => {
      if (y === NO_TARGET) return;
      this.loss -= logp[r * O + y]!;
      this.labelled++;
    });
  }

  result(): Pick<TaskEvaluation, 'loss' | 'accuracy' | 'exact' | 'classes' | 'confusion' | 'predictions'> {
    return {
      loss: this.loss / Math.max(1, this.labelled),
      accuracy: this.right / Math.max(1, this.labelled),
      exact: this.exact / Math.max(1, this.examples),
      classes: this.classes,
      confusion: this.confusion,
      predictions: this.predictions,
    };
  }
}
