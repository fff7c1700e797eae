import { SnapshotError } from '../errors.ts';

/** Little-endian writer that grows as needed; snapshots are small, so simplicity beats pooling. */
export class ByteWriter {
  private buffer: Uint8Array;
  private view: DataView;
  private length = 0;

  constructor(initialSize = 256) {
    this.buffer = new Uint8Array(initialSize);
    this.view = new DataView(this.buffer.buffer);
  }

  /** Call before reading `this.view`: growing replaces the view (`this.view.set…(this.reserve(n))` would write through the old one). */
  private reserve(bytes: number): number {
    const at = this.length;
    const needed = at + bytes;
    if (needed > this.buffer.length) {
      const next = new Uint8Array(Math.max(needed, this.buffer.length * 2));
      next.set(this.buffer.subarray(0, at));
      this.buffer = next;
      this.view = new DataView(next.buffer);
    }
    this.length = needed;
    return at;
  }

  u8(value: number): this {
    const at = this.reserve(1);
    this.view.setUint8(at, value);
    return this;
  }
  u16(value: number): this {
    const at = this.reserve(2);
    this.view.setUint16(at, value, true);
    return this;
  }
  u32(value: number): this {
    const at = this.reserve(4);
    this.view.setUint32(at, value, true);
    return this;
  }
  u64(value: bigint): this {
    const at = this.reserve(8);
    this.view.setBigUint64(at, value, true);
    return this;
  }
  f64(value: number): this {
    const at = this.reserve(8);
    this.view.setFloat64(at, value, true);
    return this;
  }
  /** Copies float32 values in little-endian order whatever the host order. */
  f32Array(values: Float32Array): this {
    const at = this.reserve(values.length * 4);
    for (let i = 0; i < values.length; i++) this.view.setFloat32(at + i * 4, values[i]!, true);
    return this;
  }
  bytes(values: Uint8Array): this {
    const at = this.reserve(values.length);
    this.buffer.set(values, at);
    return this;
  }

  /** The bytes written; the writer's own buffer when they fill it exactly (sized up front), else a copy. */
  finish(): Uint8Array {
    return this.length === this.buffer.length ? this.buffer : this.buffer.slice(0, this.length);
  }

  /** How many bytes were written. */
  get size(): number {
    return this.length;
  }

  /**
   * Bytes [from, to) written so far, as a view (no copy) of the writer's buffer: valid while
   * nothing more is written (a write that grows the buffer leaves the view on the old one).
   */
  written(from: number, to: number): Uint8Array {
    return this.buffer.subarray(from, to);
  }

  /**
   * Appends what `source` writes at the end of the buffer: it returns how many bytes it needs and
   * writes them only when they fit, so a short buffer is grown and `source` asked again.
   */
  append(source: { snapshotInto(target: Uint8Array, offset: number): number }): number {
    const at = this.length;
    let needed = source.snapshotInto(this.buffer, at);
    if (needed > this.buffer.length - at) {
      this.reserve(needed);
      this.length = at;
      needed = source.snapshotInto(this.buffer, at);
    }
    this.length = at + needed;
    return needed;
  }

  /** Room for a u32 written later with setU32; returns where. */
  reserveU32(): number {
    return this.reserve(4);
  }

  setU32(at: number, value: number): void {
    this.view.setUint32(at, value, true);
  }
}

export class ByteReader {
  private readonly view: DataView;
  private at = 0;

  constructor(private readonly bytes: Uint8Array, private readonly what = 'snapshot') {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  get remaining(): number {
    return this.bytes.length - this.at;
  }

  private take(count: number): number {
    if (this.at + count > this.bytes.length) {
      throw new SnapshotError(
        `${this.what} is truncated: needs ${this.at + count} bytes, has ${this.bytes.length}`,
      );
    }
    const at = this.at;
    this.at += count;
    return at;
  }

  u8(): number {
    return this.view.getUint8(this.take(1));
  }
  u16(): number {
    return this.view.getUint16(this.take(2), true);
  }
  u32(): number {
    return this.view.getUint32(this.take(4), true);
  }
  u64(): bigint {
    return this.view.getBigUint64(this.take(8), true);
  }
  f64(): number {
    return this.view.getFloat64(this.take(8), true);
  }
  f32Into(target: Float32Array): void {
    const at = this.take(target.length * 4);
    for (let i = 0; i < target.length; i++) target[i] = this.view.getFloat32(at + i * 4, true);
  }
  bytesView(count: number): Uint8Array {
    const at = this.take(count);
    return this.bytes.subarray(at, at + count);
  }

  expectEnd(): void {
    if (this.remaining !== 0) {
      throw new SnapshotError(`${this.what} has ${this.remaining} unexpected trailing bytes`);
    }
  }
}
