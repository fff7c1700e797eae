/**
 * Appends text, decimal numbers and base64 into one growing Buffer without an allocation per
 * call: what a commit of 10,000 keys needs to pack its payload (commit-payload.ts) in a few
 * milliseconds. Short ASCII strings are copied in JavaScript, which is cheaper than a call into
 * Buffer.write for each; anything else takes that path.
 */
const BASE64 = new TextEncoder().encode('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/');
const PAD = 0x3d;
const ZERO = 0x30;
/** Up to this many bytes are copied in a loop: cheaper than a call into TypedArray.prototype.set. */
const SHORT_COPY = 32;

export class PayloadWriter {
  buffer: Buffer;
  at = 0;

  constructor(capacity: number) {
    this.buffer = Buffer.allocUnsafe(Math.max(64, capacity));
  }

  /** Room for `n` more bytes. */
  reserve(n: number): void {
    if (this.at + n <= this.buffer.length) return;
    const grown = Buffer.allocUnsafe(Math.max(this.buffer.length * 2, this.at + n));
    this.buffer.copy(grown, 0, 0, this.at);
    this.buffer = grown;
  }

  /** `text` as UTF-8. */
  text(text: string): void {
    const length = text.length;
    this.reserve(length);
    const out = this.buffer;
    let at = this.at;
    if (length > 64) {
      this.reserve(Buffer.byteLength(text));
      this.at += this.buffer.write(text, at, 'utf8');
      return;
    }
    for (let i = 0; i < length; i++) {
      const c = text.charCodeAt(i);
      if (c > 0x7f) {
        this.reserve(Buffer.byteLength(text));
        this.at += this.buffer.write(text, this.at, 'utf8');
        return;
      }
      out[at++] = c;
    }
    this.at = at;
  }

  /** One byte. */
  byte(value: number): void {
    this.reserve(1);
    this.buffer[this.at++] = value;
  }

  /** `bytes` as they are. */
  bytes(bytes: Uint8Array): void {
    const length = bytes.length;
    this.reserve(length);
    if (length > SHORT_COPY) this.buffer.set(bytes, this.at);
    else {
      const out = this.buffer;
      const at = this.at;
      for (let i = 0; i < length; i++) out[at + i] = bytes[i]!;
    }
    this.at += length;
  }

  /** A safe integer >= 0 in decimal. */
  decimal(value: number): void {
    let digits = 1;
    for (let bound = 10; value >= bound; bound *= 10) digits++;
    this.fixedDecimal(value, digits);
  }

  /** A safe integer >= 0 in exactly `width` decimal digits (leading zeros), at the end. */
  fixedDecimal(value: number, width: number): void {
    this.reserve(width);
    this.putDecimal(this.at, value, width);
    this.at += width;
  }

  /** Overwrites `width` bytes at `at` with `value` in decimal, leading zeros. */
  putDecimal(at: number, value: number, width: number): void {
    const out = this.buffer;
    let rest = value;
    let i = at + width - 1;
    // Digits above 2^31 first, in floating point; the rest in int32 arithmetic, which is cheaper.
    for (; i >= at && rest > 0x7fffffff; i--) {
      const next = Math.floor(rest / 10);
      out[i] = ZERO + (rest - next * 10);
      rest = next;
    }
    for (; i >= at; i--) {
      const next = (rest / 10) | 0;
      out[i] = ZERO + (rest - next * 10);
      rest = next;
    }
  }

  /** `bytes` in padded base64 (RFC 4648). */
  base64(bytes: Uint8Array): void {
    const length = bytes.length;
    this.reserve(Math.ceil(length / 3) * 4);
    const out = this.buffer;
    let at = this.at;
    let i = 0;
    for (; i + 2 < length; i += 3) {
      const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8) | bytes[i + 2]!;
      out[at] = BASE64[n >>> 18]!;
      out[at + 1] = BASE64[(n >>> 12) & 63]!;
      out[at + 2] = BASE64[(n >>> 6) & 63]!;
      out[at + 3] = BASE64[n & 63]!;
      at += 4;
    }
    if (i < length) {
      const two = i + 1 < length;
      const n = (bytes[i]! << 16) | (two ? bytes[i + 1]! << 8 : 0);
      out[at] = BASE64[n >>> 18]!;
      out[at + 1] = BASE64[(n >>> 12) & 63]!;
      out[at + 2] = two ? BASE64[(n >>> 6) & 63]! : PAD;
      out[at + 3] = PAD;
      at += 4;
    }
    this.at = at;
  }
}
