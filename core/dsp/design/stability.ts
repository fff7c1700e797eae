/** Whether second-order sections are stable: every pole strictly inside the unit circle. */
import type { Section } from './sos.ts';

/**
 * z² + a1·z + a2 has both roots strictly inside the unit circle iff |a2| < 1 and |a1| < 1 + a2 (the
 * stability triangle; a first-order section has a2 = 0). NaN and infinities fail.
 */
export function isStableSection({ a1, a2 }: Section): boolean {
  return Math.abs(a2) < 1 && Math.abs(a1) < 1 + a2;
}

/** Why the cascade is not stable ("section 2 (a1 = …, a2 = …) has a pole on or outside the unit circle"), or undefined. */
export function instability(sections: readonly Section[]): string | undefined {
  const bad = sections.findIndex((s) => !isStableSection(s));
  if (bad < 0) return undefined;
  const { a1, a2 } = sections[bad]!;
  const where = sections.length > 1 ? `section ${bad} (a1 = ${a1}, a2 = ${a2})` : `a1 = ${a1}, a2 = ${a2}`;
  return `the filter is not stable: ${where} has a pole on or outside the unit circle`;
}
