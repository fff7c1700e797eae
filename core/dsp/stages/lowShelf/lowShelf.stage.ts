import { lowShelfSection } from '../../design/second-order.ts';
import { cookbookStage } from '../families/biquad/cookbook-stage.ts';

export const lowShelf = cookbookStage(
  'lowShelf',
  lowShelfSection,
  'boosts or cuts frequencies below `frequency` by `gainDb` (`gainDb/2` at `frequency`, 0 dB at Nyquist; `q` sets the slope): the Audio EQ Cookbook (RBJ) lowShelf',
);
