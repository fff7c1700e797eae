/*
 * lane_add, lane_t, LANES, … as the operations of the instruction set being compiled: code written
 * once on lane_t (common/lane_ops.h) is included once per instruction set with DSPFN_LANES_ISA set
 * to scalar, sse2, avx2 or neon (common/lanes.h does it for per-sample recurrences; data-parallel
 * kernels such as the FFT, families/spectral/fft.c, do it themselves).
 */
#ifndef DSPFN_LANE_NAMES_H
#define DSPFN_LANE_NAMES_H

#include "common/lane_ops.h"

#define DSPFN_LANE_CAT_(a, b) a##b
#define DSPFN_LANE_CAT(a, b) DSPFN_LANE_CAT_(a, b)
/* lane_add -> lane_add_<isa of the pass being compiled> */
#define DSPFN_LANE(op) DSPFN_LANE_CAT(lane_##op##_, DSPFN_LANES_ISA)
#define DSPFN_LANE_INLINE static inline __attribute__((always_inline))

#define lane_t DSPFN_LANE(t)
#define lane_mask_t DSPFN_LANE(mask)
#define LANES DSPFN_LANE(width)
#define lane_set DSPFN_LANE(set)
#define lane_zero DSPFN_LANE(zero)
#define lane_add DSPFN_LANE(add)
#define lane_sub DSPFN_LANE(sub)
#define lane_mul DSPFN_LANE(mul)
#define lane_div DSPFN_LANE(div)
#define lane_sqrt DSPFN_LANE(sqrt)
#define lane_abs DSPFN_LANE(abs)
#define lane_neg DSPFN_LANE(neg)
#define lane_min DSPFN_LANE(min)
#define lane_max DSPFN_LANE(max)
#define lane_lt DSPFN_LANE(lt)
#define lane_le DSPFN_LANE(le)
#define lane_gt DSPFN_LANE(gt)
#define lane_ge DSPFN_LANE(ge)
#define lane_eq DSPFN_LANE(eq)
#define lane_ne DSPFN_LANE(ne)
#define lane_select DSPFN_LANE(select)
#define lane_and DSPFN_LANE(and)
#define lane_or DSPFN_LANE(or)
#define lane_not DSPFN_LANE(not)
#define lane_load DSPFN_LANE(load)
#define lane_store DSPFN_LANE(store)
#define lane_load_f32 DSPFN_LANE(load_f32)
#define lane_store_f32 DSPFN_LANE(store_f32)
#define lane_exponent DSPFN_LANE(exponent)
#define lane_mantissa DSPFN_LANE(mantissa)
#define lane_reverse DSPFN_LANE(reverse)
#define lane_store4 DSPFN_LANE(store4)

#endif /* DSPFN_LANE_NAMES_H */
