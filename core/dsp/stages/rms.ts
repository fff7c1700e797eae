import { MovingWindowKernel } from './moving-window.ts';
import type { MovingWindowParams, StageKernel } from '../stage.ts';

/** y[n] = sqrt(mean(x[k]^2)) over the same causal window as movingAverage. */
export function rmsKernel(channels: number, params: MovingWindowParams): StageKernel {
  return new MovingWindowKernel(channels, params.window, true);
}
