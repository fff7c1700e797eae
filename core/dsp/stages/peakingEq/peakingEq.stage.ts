import { peakingEqSection } from '../../design/second-order.ts';
import { cookbookStage } from '../families/biquad/cookbook-stage.ts';

export const peakingEq = cookbookStage(
  'peakingEq',
  peakingEqSection,
  'boosts or cuts by `gainDb` around `frequency` (bandwidth set by `q`), 0 dB far from it: the Audio EQ Cookbook (RBJ) peakingEQ',
);
