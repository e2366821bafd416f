// Optional GPU timing through the timestamp-query feature: each named phase is one compute pass whose
// begin/end timestamps the GPU writes. resolve() copies a frame's timestamps into a caller's staging buffer
// (the engine uses the metrics readback slot, so timing adds no second readback per step) and decode() turns
// them into milliseconds. Without the feature every method is a harmless no-op, so callers never branch on
// it. Browsers may quantise timestamps (to ~100 µs) unless flags lift it.

/** GPU milliseconds per phase name for one resolved frame; phases sharing a name add up. */
export type PhaseTimes = Record<string, number>;

/** Collects per-pass GPU time for one command encoder at a time. */
export class GpuTimer {
  readonly enabled: boolean;
  /** Bytes a frame's timestamps take in a staging buffer (its offset there must be a multiple of 8). */
  readonly bytes: number;
  private readonly querySet: GPUQuerySet | null = null;
  private readonly resolveBuffer: GPUBuffer | null = null;
  private phases: string[] = [];

  constructor(
    private readonly device: GPUDevice,
    private readonly maxPhases = 16,
  ) {
    this.enabled = device.features.has('timestamp-query');
    this.bytes = this.enabled ? 2 * maxPhases * 8 : 0;
    if (!this.enabled) return;
    this.querySet = device.createQuerySet({
      label: 'GpuTimer.querySet',
      type: 'timestamp',
      count: 2 * maxPhases,
    });
    this.resolveBuffer = device.createBuffer({
      label: 'GpuTimer.resolveBuffer',
      size: this.bytes,
      usage: GPUBufferUsage.QUERY_RESOLVE | GPUBufferUsage.COPY_SRC,
    });
  }

  /** Starts a frame (one command encoder); returns whether anything will be timed. */
  begin(): boolean {
    this.phases = [];
    return this.enabled;
  }

  /** Pass descriptor fields that time this pass as `phase` (empty when timing is off or the frame is full). */
  passTimestamps(phase: string): { timestampWrites?: GPUComputePassTimestampWrites } {
    if (!this.querySet || this.phases.length >= this.maxPhases) return {};
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

  /**
   * Encodes the resolve of this frame's timestamps and their copy into `dst` at byte `dstOffset`; returns the
   * frame's phase names for decode() (empty when nothing was timed).
   */
  resolve(encoder: GPUCommandEncoder, dst: GPUBuffer, dstOffset: number): string[] {
    if (!this.querySet || !this.resolveBuffer || this.phases.length === 0) return [];
    const count = 2 * this.phases.length;
    encoder.resolveQuerySet(this.querySet, 0, count, this.resolveBuffer, 0);
    encoder.copyBufferToBuffer(this.resolveBuffer, 0, dst, dstOffset, count * 8);
    return this.phases;
  }

  /** Milliseconds per phase from the bytes resolve() copied (`byteOffset` into `data`). */
  static decode(phases: readonly string[], data: ArrayBuffer, byteOffset: number): PhaseTimes | null {
    if (phases.length === 0) return null;
    const stamps = new BigUint64Array(data, byteOffset, 2 * phases.length);
    const out: PhaseTimes = {};
    phases.forEach((name, i) => {
      const ns = Number((stamps[2 * i + 1] as bigint) - (stamps[2 * i] as bigint));
      out[name] = (out[name] ?? 0) + Math.max(0, ns) / 1e6;
    });
    return out;
  }

  destroy(): void {
    this.querySet?.destroy();
    this.resolveBuffer?.destroy();
  }
}
