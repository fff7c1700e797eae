import { WindowFeatureKernel } from '../families/window-features/window-features.kernel.ts';
import { powerRatioDb } from '../portable-log.ts';

/**
 * snr: input [s0, n0, s1, n1, …] (a signal channel and a noise channel), output per frame the
 * decibels of the signal's mean power over the noise's, over the last m = min(n + 1, W) frames:
 *   y = 10·log10(max(Σs², F) / max(Σn², F)),   F = 2⁻¹⁰²²
 * (the means' 1/m cancels). Sums come from the family's blocks (window-features.kernel.ts): a
 * window of exact zeros sums to exactly 0, which counts as F, so the output is always finite:
 * 0 dB when both are silent, about +3077 dB + 10·log10(Σs²) when only the noise is. The first frame
 * is its own window. The logarithm is portable-log.ts's, identical in C.
 */
export class SnrKernel extends WindowFeatureKernel {
  constructor(window: number) {
    super({ name: 'snr', channels: 2, outChannels: 1, window, history: 0, sums: 1 });
  }

  protected term(_k: number, x: number): number {
    return x * x;
  }

  process(input: Float32Array, output: Float32Array): number {
    const { window: W, ringLength: R, ring, suffix, terms, prefix } = this;
    const frames = input.length >> 1;
    const qs = 1;
    const qn = W + 2;
    let pos = this.count % W;
    let slot = this.count % R;
    let ps = prefix[0]!;
    let pn = prefix[1]!;
    for (let f = 0; f < frames; f++) {
      const s = input[2 * f]!;
      const n = input[2 * f + 1]!;
      if (pos === 0) {
        ps = 0;
        pn = 0;
      }
      const ts = s * s;
      const tn = n * n;
      terms[pos] = ts;
      terms[W + pos] = tn;
      ps += ts;
      pn += tn;
      output[f] = powerRatioDb(suffix[qs + pos]! + ps, suffix[qn + pos]! + pn);
      ring[slot] = s;
      ring[R + slot] = n;
      if (++slot === R) slot = 0;
      if (++pos === W) {
        pos = 0;
        this.rebuild(0, 1);
        this.rebuild(1, 1);
      }
    }
    prefix[0] = ps;
    prefix[1] = pn;
    this.count += frames;
    return frames;
  }
}
