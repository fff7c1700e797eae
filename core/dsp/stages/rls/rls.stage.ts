import * as z from 'zod';
import { bitExact, defineStage, fixedChannels, sameRate } from '../descriptor.ts';
import { RlsKernel } from './rls.kernel.ts';

/** Mirrors RLS_MAX_TAPS in layers/dsp/src/stages/rls.c (O(taps²) work per frame, 4·taps² bytes of state). */
export const MAX_RLS_TAPS = 256;

export const rls = defineStage({
  name: 'rls',
  stateVersion: 0,
  options: z.strictObject({
    taps: z.number().int().min(1).max(MAX_RLS_TAPS).describe('filter length L'),
    lambda: z.number().min(0.5).max(1).describe('forgetting factor: memory of about 1/(1 − lambda) frames; 1 remembers everything'),
    delta: z.number().min(1e-30).max(1e30).describe('regulariser: P starts at I/delta; about 0.01 × the reference\'s power (smaller: a faster start)'),
  }),
  channels: fixedChannels(2, 1, '[x0, d0, x1, d1, …]'),
  rate: sameRate,
  kernel: (params) => new RlsKernel(params),
  exactness: bitExact,
  doc: {
    formula:
      'input `[x0, d0, x1, d1, …]` (x reference, d signal); `u = [x[n] … x[n−L+1]]`, `e = d[n] − w·u`, `π = P·u`, `w += π·e/(λ + u·π)`, `P = (P − ππᵀ/(λ + u·π))/λ`; output `e[n]`. P starts at I/delta, stays exactly symmetric, is reset to I/delta if it loses positivity, and its trace is capped at L/delta (no windup on a silent reference)',
    state: 'f64 count, L f64 weights, L f32 history (newest first), L(L+1)/2 f64 (P\'s upper triangle)',
    simd: 'rows of P in float64 lanes (π = P·u and the update of P, fused with the next frame\'s π)',
  },
});
