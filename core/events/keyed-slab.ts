import { strictBase64 } from './record.ts';

/** What readRecord decodes keys and values with (Base64Slab, KeyedBase64Slab). */
export interface ValueSlab {
  /** strictBase64 of `text`, in the slab when it fits; `aligned`: an 8-byte aligned start (values). */
  decode(text: string, aligned?: boolean): Buffer | undefined;
}

/**
 * The decoded length of base64 text strictBase64 accepts. No text decodes to more: Node's decoder
 * writes 3 bytes per 4 alphabet characters and skips the rest, and trailing `=` are not alphabet.
 */
export function base64Length(text: string): number {
  const n = text.length;
  // charCodeAt rather than endsWith, which measured ~250 ns a call on a batch's 5 KB values.
  const padding = n > 0 && text.charCodeAt(n - 1) === EQUALS ? (n > 1 && text.charCodeAt(n - 2) === EQUALS ? 2 : 1) : 0;
  return Math.floor(((n - padding) * 3) / 4);
}

const EQUALS = 0x3d;

/**
 * One allocation for an event's keys and values, laid out before anything is decoded: the values of
 * records with the same key back to back (in the order they come, each 8-byte aligned), then the
 * keys. A key's f32le samples then form one contiguous block, which the handler runs through its
 * pipeline in place instead of copying the records together (see key-block.ts).
 *
 * `plan` every record's key and value text in the order `decode` will then be called with them
 * (readRecord decodes the key, then the value); a text decoded out of that order gets a buffer of
 * its own, so a plan that does not match costs speed, never correctness. The slab belongs to the
 * event and is never reused, unless `allocate` is given memory that is (a SlabLease's).
 */
export class KeyedBase64Slab implements ValueSlab {
  private readonly texts: string[] = [];
  /** Per planned text: its group (-1 for a key) before allocate, its position after. */
  private readonly where: number[] = [];
  private readonly reserved: number[] = [];
  private readonly groups = new Map<string, number>();
  private readonly groupBytes: number[] = [];
  private keyBytes = 0;
  private buffer: Buffer | undefined;
  private valueBytes = 0;
  private next = 0;

  plan(key: unknown, value: unknown): void {
    if (typeof key === 'string') {
      const length = base64Length(key);
      this.texts.push(key);
      this.where.push(-1);
      this.reserved.push(length);
      this.keyBytes += length;
    }
    if (typeof value === 'string') {
      const name = typeof key === 'string' ? key : '';
      let group = this.groups.get(name);
      if (group === undefined) {
        group = this.groupBytes.length;
        this.groups.set(name, group);
        this.groupBytes.push(0);
      }
      const length = (base64Length(value) + 7) & ~7;
      this.texts.push(value);
      this.where.push(group);
      this.reserved.push(length);
      this.groupBytes[group]! += length;
    }
  }

  /**
   * Places every planned text (values by key, then keys) and allocates the slab: `memory` gives at
   * least the bytes asked for (default: a new buffer).
   */
  allocate(memory: (bytes: number) => Buffer = Buffer.allocUnsafeSlow): this {
    const cursor = new Array<number>(this.groupBytes.length);
    let at = 0;
    for (let g = 0; g < this.groupBytes.length; g++) {
      cursor[g] = at;
      at += this.groupBytes[g]!;
    }
    this.valueBytes = at;
    for (let i = 0; i < this.texts.length; i++) {
      const group = this.where[i]!;
      if (group < 0) {
        this.where[i] = at;
        at += this.reserved[i]!;
      } else {
        this.where[i] = cursor[group]!;
        cursor[group]! += this.reserved[i]!;
      }
    }
    this.buffer = memory(at);
    return this;
  }

  /** Where `text` goes was planned (values aligned, keys packed), so `aligned` changes nothing here. */
  decode(text: string, _aligned?: boolean): Buffer | undefined {
    const i = this.next;
    if (this.buffer === undefined || i >= this.texts.length || this.texts[i] !== text) return strictBase64(text);
    this.next = i + 1;
    if (text.length % 4 === 1) return undefined;
    const at = this.where[i]!;
    const expected = base64Length(text);
    // Bounded to its own place: a neighbour's bytes are never written (and no text decodes to more).
    const written = expected === 0 ? 0 : this.buffer.write(text, at, expected, 'base64');
    if (written !== expected) return undefined;
    // A value's alignment padding is zeroed, so the values region holds nothing but values and zeros.
    const reserved = this.reserved[i]!;
    if (reserved > written) this.buffer.fill(0, at + written, at + reserved);
    return this.buffer.subarray(at, at + written);
  }

  /**
   * The values region: every value planned and decoded in order lies in it, back to back by key.
   * Bytes of a value that failed to decode are whatever was there, so a scan of the region can
   * only vouch for the bytes, never say which record is at fault.
   */
  values(): Buffer | undefined {
    return this.buffer?.subarray(0, this.valueBytes);
  }
}
