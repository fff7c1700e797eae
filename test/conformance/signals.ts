import { SIGNALS, type SignalName } from '../../core/dsp/stages/reference.ts';
import { mulberry32 } from '../../core/testing/random.ts';

export { SIGNALS, type SignalName };

/**
 * `frames` interleaved frames of `channels`, reproducible from `seed`:
 *   noise  uniform in [−1, 1)
 *   dc     1e5 ± 2 (a large offset: running sums of x² in float32 fail here)
 *   tiny   ±1e-39, float32 subnormals
 *   huge   ±1e30
 *   zeros  all 0
 *   sine   a different slow sine per channel
 */
export function signal(name: SignalName, frames: number, channels: number, seed: number): Float32Array {
  const random = mulberry32(seed);
  const out = new Float32Array(frames * channels);
  for (let i = 0; i < out.length; i++) {
    const u = random() * 2 - 1;
    switch (name) {
      case 'noise':
        out[i] = u;
        break;
      case 'dc':
        out[i] = 1e5 + 2 * u;
        break;
      case 'tiny':
        out[i] = 1e-39 * u;
        break;
      case 'huge':
        out[i] = 1e30 * u;
        break;
      case 'zeros':
        out[i] = 0;
        break;
      case 'sine':
        out[i] = Math.sin(0.01 * Math.floor(i / channels) * (1 + (i % channels)) + seed);
        break;
    }
  }
  return out;
}

/** Channel `c` of interleaved frames. */
export function channelOf(interleaved: ArrayLike<number>, channels: number, c: number): Float64Array {
  const out = new Float64Array(Math.floor(interleaved.length / channels));
  for (let i = 0; i < out.length; i++) out[i] = interleaved[i * channels + c]!;
  return out;
}
