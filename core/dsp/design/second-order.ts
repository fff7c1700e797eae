/**
 * Single-section designs: scipy.signal.iirnotch and the peaking and shelving equalisers of Robert
 * Bristow-Johnson's Audio EQ Cookbook (the "Q" forms), normalised by a0.
 */
import type { Section } from './sos.ts';

export interface NotchDesign {
  readonly frequency: number;
  readonly q: number;
  readonly sampleRate: number;
}

export interface EqDesign extends NotchDesign {
  readonly gainDb: number;
}

/** scipy.signal.iirnotch(frequency, q, fs=sampleRate): −3 dB bandwidth frequency/q. */
export function notchSection({ frequency, q, sampleRate }: NotchDesign): Section {
  const w0n = (2 * frequency) / sampleRate;
  const bw = (w0n / q) * Math.PI;
  const w0 = w0n * Math.PI;
  const beta = Math.tan(bw / 2.0);
  const gain = 1.0 / (1.0 + beta);
  return { b0: gain, b1: gain * (-2.0 * Math.cos(w0)), b2: gain, a1: -2.0 * gain * Math.cos(w0), a2: 2.0 * gain - 1.0 };
}

/** ω0 = 2π·f0/Fs, α = sin(ω0)/(2Q), A = 10^(gainDb/40). */
function cookbook({ frequency, q, gainDb, sampleRate }: EqDesign) {
  const w0 = (2 * Math.PI * frequency) / sampleRate;
  return { cos: Math.cos(w0), alpha: Math.sin(w0) / (2 * q), A: 10 ** (gainDb / 40) };
}

function normalised(b0: number, b1: number, b2: number, a0: number, a1: number, a2: number): Section {
  return { b0: b0 / a0, b1: b1 / a0, b2: b2 / a0, a1: a1 / a0, a2: a2 / a0 };
}

/** peakingEQ: gainDb at frequency, 0 dB far from it. */
export function peakingEqSection(design: EqDesign): Section {
  const { cos, alpha, A } = cookbook(design);
  return normalised(1 + alpha * A, -2 * cos, 1 - alpha * A, 1 + alpha / A, -2 * cos, 1 - alpha / A);
}

/** lowShelf: gainDb at DC, 0 dB at Nyquist, the midpoint at frequency. */
export function lowShelfSection(design: EqDesign): Section {
  const { cos, alpha, A } = cookbook(design);
  const r = 2 * Math.sqrt(A) * alpha;
  return normalised(
    A * (A + 1 - (A - 1) * cos + r),
    2 * A * (A - 1 - (A + 1) * cos),
    A * (A + 1 - (A - 1) * cos - r),
    A + 1 + (A - 1) * cos + r,
    -2 * (A - 1 + (A + 1) * cos),
    A + 1 + (A - 1) * cos - r,
  );
}

/** highShelf: gainDb at Nyquist, 0 dB at DC, the midpoint at frequency. */
export function highShelfSection(design: EqDesign): Section {
  const { cos, alpha, A } = cookbook(design);
  const r = 2 * Math.sqrt(A) * alpha;
  return normalised(
    A * (A + 1 + (A - 1) * cos + r),
    -2 * A * (A - 1 + (A + 1) * cos),
    A * (A + 1 + (A - 1) * cos - r),
    A + 1 - (A - 1) * cos + r,
    2 * (A - 1 - (A + 1) * cos),
    A + 1 - (A - 1) * cos - r,
  );
}
