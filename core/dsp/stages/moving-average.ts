import { MovingWindowKernel } from './moving-window.ts';
import type { MovingWindowParams, StageKernel } from '../stage.ts';

/** y[n] = mean(x[max(0, n-W+1) .. n]) per channel. */
export function movingAverageKernel(channels: number, params: MovingWindowParams): StageKernel {
  return new MovingWindowKernel(channels, params.window, false);
}
