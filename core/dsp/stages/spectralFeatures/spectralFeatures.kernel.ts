import type { FrameReducer } from '../families/spectral/spectral.kernel.ts';
import { binHz } from '../families/spectral/spectral.options.ts';
import { exp, ln } from '../families/spectral/spectral-math.ts';

export const FEATURES = ['centroid', 'rolloff', 'flatness', 'flux'] as const;
export type Feature = (typeof FEATURES)[number];

/** The share of ΣP below the rolloff frequency. */
export const ROLLOFF = 0.85;

/**
 * Per frame and channel over the bins k = 0 … size/2 with P = |X_k|², f = k·sampleRate/size:
 * centroid Σf·P/ΣP, rolloff the lowest f with Σ_{j≤k} P_j ≥ 0.85·ΣP, flatness
 * exp(mean ln P)/mean P, flux Σ(|X_k| − |X'_k|)² against the previous frame. A frame with ΣP = 0
 * (silence) has centroid, rolloff and flatness 0; the key's first frame has flux 0. Sums run in
 * ascending k in float64 (stages/spectralFeatures.c: features_reduce).
 */
export function featuresReducer(size: number, sampleRate: number, features: readonly Feature[]): FrameReducer {
  const bins = size / 2 + 1;
  const wantsFlux = features.includes('flux');
  return {
    perChannel: features.length,
    carry: wantsFlux ? bins : 0,
    reduce(power, out, at, carry, first) {
      let sum = 0;
      let weighted = 0;
      for (let k = 0; k < bins; k++) {
        sum += power[k]!;
        weighted += binHz(k, sampleRate, size) * power[k]!;
      }
      for (let i = 0; i < features.length; i++) {
        let value = 0;
        switch (features[i]!) {
          case 'centroid':
            value = sum === 0 ? 0 : weighted / sum;
            break;
          case 'rolloff': {
            const threshold = ROLLOFF * sum;
            let acc = 0;
            value = Number.NaN; // a NaN spectrum reaches no threshold
            for (let k = 0; k < bins; k++) {
              acc += power[k]!;
              if (acc >= threshold) {
                value = binHz(k, sampleRate, size);
                break;
              }
            }
            break;
          }
          case 'flatness': {
            if (sum === 0) break;
            let logs = 0;
            for (let k = 0; k < bins; k++) logs += ln(power[k]!);
            value = exp(logs / bins) / (sum / bins);
            break;
          }
          case 'flux': {
            let flux = 0;
            for (let k = 0; k < bins; k++) {
              const magnitude = Math.sqrt(power[k]!);
              const d = magnitude - carry[k]!;
              if (!first) flux += d * d;
              carry[k] = magnitude;
            }
            value = flux;
            break;
          }
        }
        out[at + i] = value;
      }
    },
  };
}
