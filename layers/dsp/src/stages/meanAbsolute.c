/* meanAbsolute: the windowed statistics (families/windowed_stats). */
#include "families/windowed_stats/windowed_stats.h"

DSPFN_WS_STAGE(meanAbsolute, DSPFN_WS_MEAN_ABSOLUTE);
