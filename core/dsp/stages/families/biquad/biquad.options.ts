/**
 * What every IIR stage's options become: second-order sections. Each stage's schema validates its
 * own options, designs its sections once (a zod transform: core/dsp/design/) and checks they are
 * stable, so the kernels (TypeScript and C) only ever run `{ sections }`.
 */
import * as z from 'zod';
import type { Section } from '../../../design/sos.ts';
import { instability } from '../../../design/stability.ts';

export type { Section };

/** Mirrors DSPFN_BIQUAD_MAX_SECTIONS in layers/dsp/src/families/biquad/biquad.h. */
export const MAX_SECTIONS = 64;

/** The params every IIR stage hands its kernels. */
export interface SectionsParams {
  readonly sections: readonly Section[];
}

const coefficient = z.number();

/** One section as the biquad stage takes it (a0 = 1). */
export const sectionSchema = z.strictObject({
  b0: coefficient,
  b1: coefficient,
  b2: coefficient,
  a1: coefficient,
  a2: coefficient,
});

/**
 * The sections a design made, or a zod issue saying why there are none: a design that throws
 * (RangeError: a cutoff out of range) or sections that are not stable (poles on or outside the
 * unit circle, e.g. from rounding at extreme cutoffs) fail validation, so the pipeline throws a
 * ConfigError naming the stage at cold start.
 */
export function designed(design: () => Section[], ctx: z.RefinementCtx): SectionsParams {
  let sections: Section[];
  try {
    sections = design();
  } catch (error) {
    ctx.addIssue({ code: 'custom', message: error instanceof Error ? error.message : String(error) });
    return z.NEVER;
  }
  if (sections.length > MAX_SECTIONS) {
    ctx.addIssue({ code: 'custom', message: `the design has ${sections.length} sections, at most ${MAX_SECTIONS} are supported` });
    return z.NEVER;
  }
  const why = instability(sections) ?? (sections.every((s) => Object.values(s).every(Number.isFinite)) ? undefined : 'the design has coefficients that are not finite');
  if (why !== undefined) {
    ctx.addIssue({ code: 'custom', message: why });
    return z.NEVER;
  }
  return { sections };
}
