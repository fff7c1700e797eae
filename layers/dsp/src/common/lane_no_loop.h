/*
 * For common/lanes.h's DSPFN_LANES_LOOP: a stage whose pass defines all its lane functions itself
 * (stages/rls.c: the row operations on P) needs no loop file. Nothing here.
 */
