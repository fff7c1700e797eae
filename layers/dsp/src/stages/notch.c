/* notch: its design is TypeScript's (core/dsp/stages/notch/notch.stage.ts); C runs the sections (families/biquad). */
#include "families/biquad/biquad.h"

DSPFN_BIQUAD_STAGE(notch);
