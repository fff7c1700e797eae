/* chebyshev1: its design is TypeScript's (core/dsp/stages/chebyshev1/chebyshev1.stage.ts); C runs the sections (families/biquad). */
#include "families/biquad/biquad.h"

DSPFN_BIQUAD_STAGE(chebyshev1);
