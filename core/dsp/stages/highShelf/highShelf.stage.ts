import { highShelfSection } from '../../design/second-order.ts';
import { cookbookStage } from '../families/biquad/cookbook-stage.ts';

export const highShelf = cookbookStage(
  'highShelf',
  highShelfSection,
  'boosts or cuts frequencies above `frequency` by `gainDb` (`gainDb/2` at `frequency`, 0 dB at DC; `q` sets the slope): the Audio EQ Cookbook (RBJ) highShelf',
);
