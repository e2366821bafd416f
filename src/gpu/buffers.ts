// Buffer helpers and the non-blocking readback ring (DESIGN.md §1: no mapAsync inside a training step).
// Sizes are rounded up to 4 bytes because WebGPU copies and writeBuffer work in 4-byte units.

// A function, not a constant: in Node the GPU* globals exist only once Dawn is loaded.
const storageUsage = (): number => GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST;

function align4(bytes: number): number {
  return Math.max(4, Math.ceil(bytes / 4) * 4);
}

/** A storage buffer of `floats` f32 values, zero-filled, usable as copy source and destination. */
export function createStorageBuffer(device: GPUDevice, label: string, floats: number): GPUBuffer {
  return device.createBuffer({ label, size: align4(floats * 4), usage: storageUsage() });
}

/** A storage buffer initialised with `data` (f32 or u32 values). */
export function createStorageBufferFrom(
  device: GPUDevice,
  label: string,
  data: Float32Array | Uint32Array | Int32Array,
): GPUBuffer {
  const buffer = device.createBuffer({
    label,
    size: align4(data.byteLength),
    usage: storageUsage(),
    mappedAtCreation: true,
  });
  const view =
    data instanceof Float32Array
      ? new Float32Array(buffer.getMappedRange())
      : new Uint32Array(buffer.getMappedRange());
  view.set(data);
  buffer.unmap();
  return buffer;
}

/** A uniform buffer of `bytes` bytes (rounded up to 16, the uniform block granularity). */
export function createUniformBuffer(device: GPUDevice, label: string, bytes: number): GPUBuffer {
  return device.createBuffer({
    label,
    size: Math.max(16, Math.ceil(bytes / 16) * 16),
    usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST,
  });
}

/**
 * Reads `floats` f32 values from `src` at byte `offset` through a temporary staging buffer. Awaits the GPU:
 * for tests, checkpoints and one-off probes only, never inside the training loop (use ReadbackRing there).
 */
export async function readFloats(
  device: GPUDevice,
  src: GPUBuffer,
  floats?: number,
  offset = 0,
): Promise<Float32Array> {
  const enc = device.createCommandEncoder({ label: 'readFloats' });
  const read = encodeReadback(device, enc, [{ buf: src, offset, floats: floats ?? (src.size - offset) / 4 }]);
  device.queue.submit([enc.finish()]);
  return (await read())[0]!;
}

/** A span of f32 values in a GPU buffer: `offset` in bytes. */
export interface Region {
  buf: GPUBuffer;
  offset: number;
  floats: number;
}

/**
 * Encodes copies of `regions` into one staging buffer on `enc`; after the caller submits `enc`, the returned
 * function maps it once and cuts out one array per region. The copies are ordered in the queue where `enc` is
 * submitted, so what they read is consistent with every step submitted before and none after.
 */
export function encodeReadback(
  device: GPUDevice,
  enc: GPUCommandEncoder,
  regions: readonly Region[],
): () => Promise<Float32Array[]> {
  const total = regions.reduce((a, r) => a + r.floats, 0);
  const staging = device.createBuffer({
    label: 'readback.staging',
    size: align4(total * 4),
    usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST,
  });
  let at = 0;
  for (const r of regions) {
    if (r.floats > 0) enc.copyBufferToBuffer(r.buf, r.offset, staging, at * 4, r.floats * 4);
    at += r.floats;
  }
  return async () => {
    await staging.mapAsync(GPUMapMode.READ);
    const all = new Float32Array(staging.getMappedRange().slice(0));
    staging.destroy();
    let from = 0;
    return regions.map((r) => all.slice(from, (from += r.floats)));
  };
}

/** One staging buffer of the ring, between acquire() and the moment its data arrives. */
export interface ReadbackSlot {
  readonly index: number;
  readonly buffer: GPUBuffer;
}

/**
 * A ring of MAP_READ staging buffers. A step acquires a free slot, encodes copies into it, submits, then
 * commits the slot; the data arrives later through the callback while the next steps already run. When every
 * slot is in flight the ring grows, up to `maxSlots`; beyond that acquire() returns null and the caller skips
 * that step's readback (counted in `dropped`) rather than stalling the GPU.
 */
export class ReadbackRing {
  private readonly slots: { slot: ReadbackSlot; busy: boolean }[] = [];
  /** Readbacks skipped because every slot was in flight. */
  dropped = 0;
  /** Readbacks whose data has been delivered. */
  delivered = 0;

  constructor(
    private readonly device: GPUDevice,
    readonly bytesPerSlot: number,
    slotCount = 4,
    private readonly label = 'ReadbackRing',
    private readonly maxSlots = slotCount,
  ) {
    for (let i = 0; i < slotCount; i++) this.addSlot();
  }

  private addSlot(): { slot: ReadbackSlot; busy: boolean } {
    const index = this.slots.length;
    const buffer = this.device.createBuffer({
      label: `${this.label}.slot${index}`,
      size: align4(this.bytesPerSlot),
      usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST,
    });
    const entry = { slot: { index, buffer }, busy: false };
    this.slots.push(entry);
    return entry;
  }

  /**
   * A free slot to copy into (growing the ring if allowed), or null when all are in flight: a readback
   * `dropped`, unless the caller only asked whether one is free (`optional`) and will ask again.
   */
  acquire(optional = false): ReadbackSlot | null {
    const free =
      this.slots.find((s) => !s.busy) ?? (this.slots.length < this.maxSlots ? this.addSlot() : undefined);
    if (!free) {
      if (!optional) this.dropped++;
      return null;
    }
    free.busy = true;
    return free.slot;
  }

  /** Encodes a copy of `bytes` bytes from `src` into the slot at `dstOffset`. */
  copy(
    encoder: GPUCommandEncoder,
    slot: ReadbackSlot,
    src: GPUBuffer,
    srcOffset: number,
    dstOffset: number,
    bytes: number,
  ): void {
    encoder.copyBufferToBuffer(src, srcOffset, slot.buffer, dstOffset, align4(bytes));
  }

  /**
   * Call after the submit that filled the slot. Maps it without waiting; `onData` gets a copy of the bytes
   * once the GPU has finished, and the slot becomes free again.
   */
  commit(slot: ReadbackSlot, onData: (data: ArrayBuffer) => void, onError?: (err: unknown) => void): void {
    const entry = this.slots[slot.index];
    if (!entry?.busy) throw new Error(`ReadbackRing: slot ${slot.index} committed without acquire()`);
    slot.buffer.mapAsync(GPUMapMode.READ).then(
      () => {
        const data = slot.buffer.getMappedRange().slice(0);
        slot.buffer.unmap();
        entry.busy = false;
        this.delivered++;
        onData(data);
      },
      (err: unknown) => {
        entry.busy = false;
        onError?.(err);
      },
    );
  }

  /** Returns an acquired slot unused (the step that wanted it was abandoned before submit). */
  release(slot: ReadbackSlot): void {
    const entry = this.slots[slot.index];
    if (entry) entry.busy = false;
  }

  /** Number of slots whose data has not arrived yet. */
  get inFlight(): number {
    return this.slots.filter((s) => s.busy).length;
  }

  destroy(): void {
    for (const s of this.slots) s.slot.buffer.destroy();
  }
}
