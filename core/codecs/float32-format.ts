/**
 * Shortest decimal text for float32 values: the fewest significant digits that read back
 * (`Math.fround(JSON.parse(text))`) to the same float32, e.g. 0.1f → `0.1` where
 * `JSON.stringify` of the widened double prints `0.10000000149011612`. Laid out like JavaScript's
 * own number text (`1e-7`, `1.5e+21`, `-0`), so for these digits `String(Number(text)) === text`.
 *
 * How: for k significant digits the two k-digit decimals nearest to x are the only candidates,
 * and a candidate c·10^p with c < 2^53 and |p| ≤ 22 converts to the correctly rounded double in
 * one multiply or divide (Clinger), so the round-trip test is exact and cheap. The smallest k that
 * passes is found by bisection (if k digits work, k + 1 do). Values outside 1e-13 … 1e21 (rare in
 * signal data) take a slower exact path through toPrecision and Number.
 */

const POW10 = Array.from({ length: 23 }, (_, i) => Number(`1e${i}`));

/** Longest text writeFloat32 can produce ("-0.000000123456789", "-340282350000000000000", …), rounded up. */
export const MAX_FLOAT32_TEXT = 24;

// The digits and exponent of the last successful candidate: fields, not a tuple, so nothing is allocated.
let foundDigits = 0;
let foundExponent = 0;

function roundTrips(candidate: number, p: number, x: number): boolean {
  return candidate > 0 && Math.fround(p >= 0 ? candidate * POW10[p]! : candidate / POW10[-p]!) === x;
}

/** Whether a decimal with (about) k significant digits reads back as x; sets foundDigits/foundExponent. */
function tryDigits(x: number, e: number, k: number): boolean {
  const p = e - k + 1;
  const y = p >= 0 ? x / POW10[p]! : x * POW10[-p]!;
  const floor = Math.floor(y);
  const nearest = y - floor < 0.5 ? floor : floor + 1;
  const other = nearest === floor ? floor + 1 : floor;
  if (roundTrips(nearest, p, x)) foundDigits = nearest;
  else if (roundTrips(other, p, x)) foundDigits = other;
  else return false;
  foundExponent = p;
  return true;
}

const bitsOf = new Float32Array(1);
const bits = new Uint32Array(bitsOf.buffer);

/**
 * floor(log10(x)), or one off next to a power of ten, where either answer still leads to the
 * shortest digits: the candidate there is the power of ten itself, whose zeros are stripped.
 * From x's binary exponent rather than Math.log10: floor(e2 · log10 2) is floor(log10(x)) or one
 * less, and one comparison with the next power of ten settles which. x is a positive finite
 * float32; subnormals (far below the fast path's range) answer well below it.
 */
function decimalExponent(x: number): number {
  bitsOf[0] = x;
  const biased = bits[0]! >>> 23;
  if (biased === 0) return -46;
  const e = Math.floor((biased - 127) * 0.3010299956639812);
  const next = e + 1;
  if (next >= 0 ? next <= 22 && x >= POW10[next]! : next >= -22 && x * POW10[-next]! >= 1) return next;
  return e;
}

/**
 * Most float32 signal values need 7 to 9 digits, so the search walks down from 8 and bisects
 * only below 6: about two candidates per value instead of four.
 */
function shortestFast(x: number): boolean {
  const e = decimalExponent(x);
  if (e < -13 || e > 21) return false;
  if (!tryDigits(x, e, 8)) return tryDigits(x, e, 9);
  let digits = foundDigits;
  let exponent = foundExponent;
  let high = 8;
  for (let k = 7; k >= 6; k--) {
    if (!tryDigits(x, e, k)) {
      foundDigits = digits;
      foundExponent = exponent;
      return true;
    }
    digits = foundDigits;
    exponent = foundExponent;
    high = k;
  }
  let low = 1;
  while (low < high) {
    const mid = (low + high) >> 1;
    if (tryDigits(x, e, mid)) {
      high = mid;
      digits = foundDigits;
      exponent = foundExponent;
    } else low = mid + 1;
  }
  foundDigits = digits;
  foundExponent = exponent;
  return true;
}

/** The exact, slow path: nearest k-digit decimals from toPrecision, checked through Number. */
function shortestSlow(x: number): void {
  for (let k = 1; k <= 9; k++) {
    const text = x.toPrecision(k);
    const mark = text.indexOf('e');
    const mantissa = mark < 0 ? text : text.slice(0, mark);
    const point = mantissa.indexOf('.');
    const fraction = point < 0 ? 0 : mantissa.length - point - 1;
    const n = Number(mantissa.replace('.', ''));
    const p = (mark < 0 ? 0 : Number(text.slice(mark + 1))) - fraction;
    for (const candidate of [n, n - 1, n + 1]) {
      if (candidate > 0 && Math.fround(Number(`${candidate}e${p}`)) === x) {
        foundDigits = candidate;
        foundExponent = p;
        return;
      }
    }
  }
  throw new Error(`no decimal of 9 digits or fewer reads back as ${x}`); // unreachable for a float32
}

const scratch = new Uint8Array(12);

/**
 * Writes x (a float32 value; any number is first rounded to float32) at out[at] and returns the
 * index after it. The caller guarantees MAX_FLOAT32_TEXT bytes of room. NaN and ±Infinity are
 * written as `null`, as JSON.stringify does.
 */
export function writeFloat32(out: Uint8Array, at: number, value: number): number {
  one[0] = value;
  return writeFloat32Of(out, at, one, 0);
}

const one = new Float32Array(1);

/**
 * writeFloat32 of values[index]: a writer looping over an array passes the array, not the number,
 * which a call that is not inlined would box.
 */
export function writeFloat32Of(out: Uint8Array, at: number, values: Float32Array, index: number): number {
  const x = values[index]!;
  if (x === 0) {
    if (1 / x < 0) out[at++] = 0x2d;
    out[at++] = 0x30;
    return at;
  }
  if (x !== x || x === Infinity || x === -Infinity) {
    out[at] = 0x6e;
    out[at + 1] = 0x75;
    out[at + 2] = 0x6c;
    out[at + 3] = 0x6c;
    return at + 4;
  }
  let magnitude = x;
  if (x < 0) {
    out[at++] = 0x2d;
    magnitude = -x;
  }
  if (!shortestFast(magnitude)) shortestSlow(magnitude);
  let digits = foundDigits;
  let exponent = foundExponent;
  while (digits % 10 === 0) {
    digits /= 10;
    exponent++;
  }
  let k = 0;
  if (digits < 2147483648) {
    // int32 arithmetic: a division by a constant the JIT turns into a multiply.
    let d = digits | 0;
    while (d > 0) {
      const next = (d / 10) | 0;
      scratch[11 - k] = 0x30 + d - next * 10;
      d = next;
      k++;
    }
  } else {
    while (digits > 0) {
      const next = Math.floor(digits / 10);
      scratch[11 - k] = 0x30 + (digits - next * 10);
      digits = next;
      k++;
    }
  }
  const first = 12 - k;
  // n: position of the decimal point relative to the first digit, as in ECMAScript's Number::toString.
  const n = k + exponent;
  if (k <= n && n <= 21) {
    for (let i = first; i < 12; i++) out[at++] = scratch[i]!;
    for (let i = k; i < n; i++) out[at++] = 0x30;
  } else if (0 < n && n <= 21) {
    for (let i = 0; i < n; i++) out[at++] = scratch[first + i]!;
    out[at++] = 0x2e;
    for (let i = n; i < k; i++) out[at++] = scratch[first + i]!;
  } else if (-6 < n && n <= 0) {
    out[at++] = 0x30;
    out[at++] = 0x2e;
    for (let i = n; i < 0; i++) out[at++] = 0x30;
    for (let i = first; i < 12; i++) out[at++] = scratch[i]!;
  } else {
    out[at++] = scratch[first]!;
    if (k > 1) {
      out[at++] = 0x2e;
      for (let i = first + 1; i < 12; i++) out[at++] = scratch[i]!;
    }
    out[at++] = 0x65;
    let e = n - 1;
    out[at++] = e < 0 ? 0x2d : 0x2b;
    if (e < 0) e = -e;
    if (e >= 10) out[at++] = 0x30 + Math.floor(e / 10);
    out[at++] = 0x30 + (e % 10);
  }
  return at;
}

const text = new Uint8Array(MAX_FLOAT32_TEXT);

/** The shortest text of one float32 (convenience; writers use writeFloat32 into their buffer). */
export function formatFloat32(value: number): string {
  const end = writeFloat32(text, 0, value);
  return String.fromCharCode(...text.subarray(0, end));
}
