/**
 * The two-step look-ahead form every IIR section runs in (scattered look-ahead, Parhi &
 * Messerschmitt): H = B/D with D(z) = 1 + a1·z⁻¹ + a2·z⁻², multiplied above and below by
 * D(−z) = 1 − a1·z⁻¹ + a2·z⁻²:
 *   D(z)·D(−z) = 1 + (2·a2 − a1²)·z⁻² + a2²·z⁻⁴,   g = B(z)·D(−z) = b * [1, −a1, a2]
 * so y[n] depends on y[n−2] and y[n−4] only. The added poles are the mirror images −p of the
 * section's poles (same radius: stable whenever the section is), cancelled by the added zeros.
 * Computed here and in layers/dsp/src/families/biquad/biquad.c with the same operations in the
 * same order, so both backends run identical numbers.
 */
import type { Section } from './biquad.options.ts';

/** g0 … g4, c2, c4. */
export const LOOK_AHEAD_TERMS = 7;

export function lookAhead({ b0, b1, b2, a1, a2 }: Section): number[] {
  return [b0, b1 - a1 * b0, b2 - a1 * b1 + a2 * b0, a2 * b1 - a1 * b2, a2 * b2, 2 * a2 - a1 * a1, a2 * a2];
}
