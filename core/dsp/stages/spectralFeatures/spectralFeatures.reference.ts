import { defineReference } from '../reference.ts';
import { asFloat32, directPowerFrames, flatten, plainSpectralLoop } from '../families/spectral/spectral.reference.ts';

export const reference = defineReference('spectralFeatures', {
  // All four (flux carried), a reordered subset without flux, hop > size.
  cases: [
    { size: 32, hop: 8, sampleRate: 1000 },
    { size: 64, window: 'blackman', sampleRate: 44100, features: ['flatness', 'centroid'] },
    { size: 128, hop: 150, window: 'rectangular', sampleRate: 8000, features: ['flux', 'rolloff'] },
  ],
  definition: (input, channels, { size, hop, window, sampleRate, features }) => {
    const previous: (Float64Array | undefined)[] = Array.from({ length: channels });
    return asFloat32(
      flatten(
        directPowerFrames(input, channels, size, hop, window).map((frame) =>
          frame.map((power, c) => {
            const f = (k: number) => (k * sampleRate) / size;
            const total = power.reduce((a, p) => a + p, 0);
            const magnitude = power.map(Math.sqrt);
            const values = features.map((feature) => {
              if (feature === 'centroid') return total === 0 ? 0 : power.reduce((a, p, k) => a + f(k) * p, 0) / total;
              if (feature === 'rolloff') {
                let acc = 0;
                for (let k = 0; k < power.length; k++) if ((acc += power[k]!) >= 0.85 * total) return f(k);
                return Number.NaN;
              }
              if (feature === 'flatness') {
                if (total === 0) return 0;
                const meanLog = power.reduce((a, p) => a + Math.log(p), 0) / power.length;
                return Math.exp(meanLog) / (total / power.length);
              }
              const prev = previous[c];
              return prev === undefined ? 0 : magnitude.reduce((a, m, k) => a + (m - prev[k]!) ** 2, 0);
            });
            previous[c] = magnitude;
            return values;
          }),
        ),
      ),
    );
  },
  definitionBound: 1e-6,
  bench: {
    options: { size: 1024, hop: 256, sampleRate: 8000 },
    plain: ({ size, hop, sampleRate }, channels) => {
      const previous = Array.from({ length: channels }, () => new Float64Array(size / 2 + 1));
      const results = new Float64Array(4);
      const loop = plainSpectralLoop(channels, size, hop, (power, c) => {
        let total = 0;
        let weighted = 0;
        let logs = 0;
        let flux = 0;
        const prev = previous[c]!;
        for (let k = 0; k < power.length; k++) {
          total += power[k]!;
          weighted += ((k * sampleRate) / size) * power[k]!;
          logs += Math.log(power[k]!);
          const m = Math.sqrt(power[k]!);
          flux += (m - prev[k]!) ** 2;
          prev[k] = m;
        }
        let acc = 0;
        let k = 0;
        while (k < power.length - 1 && (acc += power[k]!) < 0.85 * total) k++;
        results[0] = weighted / total;
        results[1] = (k * sampleRate) / size;
        results[2] = Math.exp(logs / power.length) / (total / power.length);
        results[3] = flux;
      });
      return (input) => loop(input);
    },
  },
});
