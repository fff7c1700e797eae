import { defineReference } from '../reference.ts';
import { directMelLogs } from '../families/spectral/mel.reference.ts';
import { asFloat32, flatten, plainSpectralLoop } from '../families/spectral/spectral.reference.ts';

export const reference = defineReference('melSpectrogram', {
  cases: [
    { size: 64, hop: 16, sampleRate: 1000, melBands: 8 },
    { size: 256, sampleRate: 16000, melBands: 40 },
  ],
  definition: (input, channels, { size, hop, sampleRate, melBands }) =>
    asFloat32(flatten(directMelLogs(input, channels, size, hop, sampleRate, melBands))),
  definitionBound: 1e-6,
  // Natural logs: outputs down to ln 1e-10 ≈ −23 whatever the input's scale.
  definitionScale: 30,
  bench: {
    options: { size: 1024, hop: 256, sampleRate: 16000, melBands: 40 },
    plain: ({ size, hop, sampleRate, melBands }, channels) => plainMel(size, hop, sampleRate, melBands, channels, 0),
  },
});

/** fft.js frames, a precomputed filter bank as a dense matrix, Math.log (and the DCT when coefficients > 0). */
export function plainMel(size: number, hop: number, sampleRate: number, melBands: number, channels: number, coefficients: number) {
  const bins = size / 2 + 1;
  const mel = (f: number) => 2595 * Math.log10(1 + f / 700);
  const hz = (m: number) => 700 * (10 ** (m / 2595) - 1);
  const edges = Array.from({ length: melBands + 2 }, (_, i) => hz((mel(sampleRate / 2) * i) / (melBands + 1)));
  const bank = Array.from({ length: melBands }, (_, m) =>
    Float64Array.from({ length: bins }, (_, k) => {
      const f = (k * sampleRate) / size;
      return Math.max(0, Math.min((f - edges[m]!) / (edges[m + 1]! - edges[m]!), (edges[m + 2]! - f) / (edges[m + 2]! - edges[m + 1]!)));
    }),
  );
  const logs = new Float64Array(melBands);
  const out = new Float64Array(Math.max(1, coefficients));
  const loop = plainSpectralLoop(channels, size, hop, (power) => {
    for (let m = 0; m < melBands; m++) {
      let sum = 0;
      const w = bank[m]!;
      for (let k = 0; k < bins; k++) sum += w[k]! * power[k]!;
      logs[m] = Math.log(sum + 1e-10);
    }
    for (let j = 0; j < coefficients; j++) {
      let sum = 0;
      for (let m = 0; m < melBands; m++) sum += logs[m]! * Math.cos((Math.PI * j * (2 * m + 1)) / (2 * melBands));
      out[j] = sum * Math.sqrt((j === 0 ? 1 : 2) / melBands);
    }
  });
  return (input: Float32Array) => loop(input);
}
