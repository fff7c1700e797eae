/** Whether second-order sections are stable: every pole strictly inside the unit circle. */
import type { Section } from './sos.ts';

/** z² + a1·z + a2 has both roots strictly inside the unit circle (the stability triangle). NaN fails. */
function inTriangle(a1: number, a2: number): boolean {
  return Math.abs(a2) < 1 && Math.abs(a1) < 1 + a2;
}

/**
 * The section's poles are strictly inside the unit circle, and so are those of the look-ahead form
 * the kernels run (families/biquad/look-ahead.ts: w² + (2·a2 − a1²)·w + a2² in w = z², computed as
 * the kernels compute it, so rounding at the very edge cannot slip through). A first-order section
 * has a2 = 0.
 */
export function isStableSection({ a1, a2 }: Section): boolean {
  return inTriangle(a1, a2) && inTriangle(2 * a2 - a1 * a1, a2 * a2);
}

/** Why the cascade is not stable ("section 2 (a1 = …, a2 = …) has a pole on or outside the unit circle"), or undefined. */
export function instability(sections: readonly Section[]): string | undefined {
  const bad = sections.findIndex((s) => !isStableSection(s));
  if (bad < 0) return undefined;
  const { a1, a2 } = sections[bad]!;
  const where = sections.length > 1 ? `section ${bad} (a1 = ${a1}, a2 = ${a2})` : `a1 = ${a1}, a2 = ${a2}`;
  return `the filter is not stable: ${where} has a pole on or outside the unit circle`;
}
