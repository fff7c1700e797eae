/* biquad: its design is TypeScript's (core/dsp/stages/biquad/biquad.stage.ts); C runs the sections (families/biquad). */
#include "families/biquad/biquad.h"

DSPFN_BIQUAD_STAGE(biquad);
