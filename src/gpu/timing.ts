// Optional GPU timing through the timestamp-query feature: each named phase is one compute pass whose
// begin/end timestamps are written by the GPU. Without the feature every method is a harmless no-op, so
// callers never branch on it. Browsers may quantise timestamps (to ~100 µs) unless flags lift it.

/** GPU milliseconds per phase name for one resolved frame. */
export type PhaseTimes = Record<string, number>;

/** Collects per-pass GPU time for one command encoder at a time. */
export class GpuTimer {
  readonly enabled: boolean;
  private readonly querySet: GPUQuerySet | null = null;
  private readonly resolveBuffer: GPUBuffer | null = null;
  private readonly readBuffer: GPUBuffer | null = null;
  private phases: string[] = [];
  private busy = false;

  constructor(
    private readonly device: GPUDevice,
    private readonly maxPhases = 16,
  ) {
    this.enabled = device.features.has('timestamp-query');
    if (!this.enabled) return;
    this.querySet = device.createQuerySet({
      label: 'GpuTimer.querySet',
      type: 'timestamp',
      count: 2 * maxPhases,
    });
    const bytes = 2 * maxPhases * 8;
    this.resolveBuffer = device.createBuffer({
      label: 'GpuTimer.resolveBuffer',
      size: bytes,
      usage: GPUBufferUsage.QUERY_RESOLVE | GPUBufferUsage.COPY_SRC,
    });
    this.readBuffer = device.createBuffer({
      label: 'GpuTimer.readBuffer',
      size: bytes,
      usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST,
    });
  }

  /** Starts a frame; returns false (and times nothing) while the previous frame's results are still mapping. */
  begin(): boolean {
    this.phases = [];
    return this.enabled && !this.busy;
  }

  /** Pass descriptor fields that time this pass as `phase` (empty when timing is off or the frame is full). */
  passTimestamps(phase: string): { timestampWrites?: GPUComputePassTimestampWrites } {
    if (!this.enabled || this.busy || !this.querySet || this.phases.length >= this.maxPhases) return {};
    const i = this.phases.length;
    this.phases.push(phase);
    return {
      timestampWrites: {
        querySet: this.querySet,
        beginningOfPassWriteIndex: 2 * i,
        endOfPassWriteIndex: 2 * i + 1,
      },
    };
  }

  /** Encodes the resolve and copy; call once at the end of the frame's encoder. */
  resolve(encoder: GPUCommandEncoder): void {
    if (!this.querySet || !this.resolveBuffer || !this.readBuffer || this.busy || this.phases.length === 0)
      return;
    const count = 2 * this.phases.length;
    encoder.resolveQuerySet(this.querySet, 0, count, this.resolveBuffer, 0);
    encoder.copyBufferToBuffer(this.resolveBuffer, 0, this.readBuffer, 0, count * 8);
  }

  /**
   * After the submit: maps the results without blocking the queue. Phases sharing a name add up.
   * Resolves to null when nothing was timed.
   */
  async read(): Promise<PhaseTimes | null> {
    if (!this.readBuffer || this.busy || this.phases.length === 0) return null;
    this.busy = true;
    const phases = this.phases;
    try {
      await this.readBuffer.mapAsync(GPUMapMode.READ);
      const stamps = new BigUint64Array(this.readBuffer.getMappedRange().slice(0, phases.length * 16));
      this.readBuffer.unmap();
      const out: PhaseTimes = {};
      phases.forEach((name, i) => {
        const ns = Number((stamps[2 * i + 1] as bigint) - (stamps[2 * i] as bigint));
        out[name] = (out[name] ?? 0) + Math.max(0, ns) / 1e6;
      });
      return out;
    } finally {
      this.busy = false;
    }
  }

  destroy(): void {
    this.querySet?.destroy();
    this.resolveBuffer?.destroy();
    this.readBuffer?.destroy();
  }
}
