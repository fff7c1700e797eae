import * as z from 'zod';
import type { EqDesign } from '../../../design/second-order.ts';
import type { Section } from '../../../design/sos.ts';
import { bitExact, defineStage, sameChannels, sameRate } from '../../descriptor.ts';
import { designed } from './biquad.options.ts';
import { CASCADE_DOC, CASCADE_FORMULA, cascadeKernel } from './biquad.stage-parts.ts';
import { frequency, frequencyProblem, gainDb, q, sampleRate } from './design-options.ts';

/**
 * An Audio EQ Cookbook (RBJ) stage — peakingEq, lowShelf, highShelf: the same options
 * `{ frequency, q, gainDb, sampleRate }`, one designed section on the cascade kernel; only the
 * section's design and the README formula differ.
 */
export function cookbookStage<const Name extends string>(name: Name, section: (design: EqDesign) => Section, effect: string) {
  return defineStage({
    name,
    stateVersion: 0,
    options: z.strictObject({ frequency, q, gainDb, sampleRate }).transform((design, ctx) =>
      designed(() => {
        const problem = frequencyProblem(design.frequency, design.sampleRate);
        if (problem !== undefined) throw new RangeError(problem);
        return [section(design)];
      }, ctx),
    ),
    channels: sameChannels,
    rate: sameRate,
    kernel: cascadeKernel,
    exactness: bitExact,
    doc: { formula: `${effect}, normalised by a0; ${CASCADE_FORMULA}`, ...CASCADE_DOC },
  });
}
