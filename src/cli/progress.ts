// A one-line progress bar for the train command on a terminal; off a terminal it prints a line every 5%.

export interface ProgressLine {
  step: number;
  loss: number;
  val_loss?: number;
  ms_per_step: number;
  chars_per_s: number;
}

export class Progress {
  private lastVal?: number;
  private lastPrinted = -1;

  constructor(
    private readonly tty: boolean,
    private readonly total: number,
  ) {}

  update(l: ProgressLine): void {
    if (l.val_loss !== undefined) this.lastVal = l.val_loss;
    const frac = Math.min(1, l.step / this.total);
    const width = 24;
    const bar = '='.repeat(Math.round(frac * width)).padEnd(width, ' ');
    const val = this.lastVal !== undefined ? ` val ${this.lastVal.toFixed(3)}` : '';
    const speed = l.ms_per_step
      ? ` ${l.ms_per_step.toFixed(1)} ms/step ${(l.chars_per_s / 1000).toFixed(1)}k chars/s`
      : '';
    const text = `step ${l.step}/${this.total} [${bar}] loss ${l.loss.toFixed(3)}${val}${speed}`;
    if (this.tty) process.stderr.write(`\r${text}\x1b[K`);
    else {
      const pct = Math.floor(frac * 20);
      if (pct > this.lastPrinted || l.val_loss !== undefined) {
        this.lastPrinted = pct;
        process.stderr.write(text + '\n');
      }
    }
  }

  done(): void {
    if (this.tty) process.stderr.write('\n');
  }
}
