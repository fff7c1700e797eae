import { defineReference } from '../reference.ts';
import { asFloat32, directPowerFrames, flatten, plainSpectralLoop } from '../families/spectral/spectral.reference.ts';

export const reference = defineReference('bandPower', {
  // One band over everything (Nyquist included), several with overlaps and single bins, hop > size.
  cases: [
    { size: 16, hop: 16, bands: [[0, 1e9]], sampleRate: 16 },
    { size: 64, hop: 20, window: 'hamming', bands: [[0, 50], [50, 200], [93, 94], [490, 501]], sampleRate: 1000 },
    { size: 128, hop: 200, window: 'rectangular', bands: [[1000, 2000], [0, 24000]], sampleRate: 48000 },
  ],
  definition: (input, channels, { size, hop, window, bands, sampleRate }) =>
    asFloat32(
      flatten(
        directPowerFrames(input, channels, size, hop, window).map((frame) =>
          frame.map((power) =>
            bands.map(([low, high]) => {
              let sum = 0;
              power.forEach((p, k) => {
                const f = (k * sampleRate) / size;
                if (f >= low && f < high) sum += p;
              });
              return sum;
            }),
          ),
        ),
      ),
    ),
  definitionBound: 1e-6,
  bench: {
    options: { size: 1024, hop: 256, bands: [[0, 100], [100, 1000], [1000, 4000]], sampleRate: 8000 },
    plain: ({ size, hop, bands, sampleRate }, channels) => {
      const ranges = bands.map(([low, high]) => [Math.ceil((low * size) / sampleRate), Math.ceil((high * size) / sampleRate)] as const);
      const sums = new Float64Array(64 * channels * bands.length);
      let at = 0;
      const loop = plainSpectralLoop(channels, size, hop, (power) => {
        for (const [first, end] of ranges) {
          let sum = 0;
          for (let k = first; k < end && k < power.length; k++) sum += power[k]!;
          sums[at++ % sums.length] = sum;
        }
      });
      return (input) => {
        at = 0;
        loop(input);
      };
    },
  },
});
