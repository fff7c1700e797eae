/* butterworth: its design is TypeScript's (core/dsp/stages/butterworth/butterworth.stage.ts); C runs the sections (families/biquad). */
#include "families/biquad/biquad.h"

DSPFN_BIQUAD_STAGE(butterworth);
