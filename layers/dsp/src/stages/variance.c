/* variance: the windowed statistics (families/windowed_stats). */
#include "families/windowed_stats/windowed_stats.h"

DSPFN_WS_STAGE(variance, DSPFN_WS_VARIANCE);
