import { defineReference } from '../reference.ts';
import { asFloat32, directPowerFrames, flatten, plainSpectralLoop } from '../families/spectral/spectral.reference.ts';

export const reference = defineReference('spectrum', {
  // N = 16 (radix-4 first stage, radix-2 last), 32 (twiddle-free radix-4 last), 64 with overlap
  // (a strided twiddle stage), 256 with hop > size (samples between frames skipped); every window
  // and output.
  cases: [
    { size: 16 },
    { size: 32, hop: 8, window: 'rectangular', output: 'magnitude' },
    { size: 64, hop: 24, window: 'blackman', output: 'db' },
    { size: 256, hop: 300, window: 'hamming', output: 'power' },
  ],
  definition: (input, channels, { size, hop, window, output }) =>
    asFloat32(
      flatten(directPowerFrames(input, channels, size, hop, window)).map((p) =>
        output === 'power' ? p : output === 'magnitude' ? Math.sqrt(p) : 10 * Math.log10(p + 1e-20),
      ),
    ),
  definitionBound: 1e-6,
  bench: {
    options: { size: 1024, hop: 256 },
    plain: ({ size, hop }, channels) => {
      let out: Float32Array = new Float32Array(0);
      let at = 0;
      const loop = plainSpectralLoop(channels, size, hop, (power) => {
        for (let k = 0; k < power.length; k++) out[at++] = power[k]!;
      });
      return (input, output) => {
        if (out.length < input.length * 4) out = new Float32Array(input.length * 4); // room for every frame of the block
        void output;
        at = 0;
        loop(input);
      };
    },
  },
});
