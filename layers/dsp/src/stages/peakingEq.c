/* peakingEq: its design is TypeScript's (core/dsp/stages/peakingEq/peakingEq.stage.ts); C runs the sections (families/biquad). */
#include "families/biquad/biquad.h"

DSPFN_BIQUAD_STAGE(peakingEq);
