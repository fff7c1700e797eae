import { directPowerFrames } from './spectral.reference.ts';

/** librosa.filters.mel(sr, n_fft, n_mels, htk=True, norm=None) from its formulas with Math.log10/pow. */
export function directMelBank(size: number, sampleRate: number, melBands: number): Float64Array[] {
  const mel = (f: number) => 2595 * Math.log10(1 + f / 700);
  const hz = (m: number) => 700 * (10 ** (m / 2595) - 1);
  const top = mel(sampleRate / 2);
  const edges = Array.from({ length: melBands + 2 }, (_, i) => hz((top * i) / (melBands + 1)));
  return Array.from({ length: melBands }, (_, m) =>
    Float64Array.from({ length: size / 2 + 1 }, (_, k) => {
      const f = (k * sampleRate) / size;
      const lower = (f - edges[m]!) / (edges[m + 1]! - edges[m]!);
      const upper = (edges[m + 2]! - f) / (edges[m + 2]! - edges[m + 1]!);
      return Math.max(0, Math.min(lower, upper));
    }),
  );
}

/** ln(mel power + 1e-10) per frame, channel and band (Hann window). */
export function directMelLogs(input: Float32Array, channels: number, size: number, hop: number, sampleRate: number, melBands: number): Float64Array[][] {
  const bank = directMelBank(size, sampleRate, melBands);
  return directPowerFrames(input, channels, size, hop, 'hann').map((frame) =>
    frame.map((power) => Float64Array.from(bank, (w) => Math.log(w.reduce((a, wk, k) => a + wk * power[k]!, 0) + 1e-10))),
  );
}

/** scipy.fft.dct(logs, type=2, norm='ortho')[:coefficients] per frame and channel. */
export function directMfcc(
  input: Float32Array,
  channels: number,
  size: number,
  hop: number,
  sampleRate: number,
  melBands: number,
  coefficients: number,
): Float64Array[][] {
  return directMelLogs(input, channels, size, hop, sampleRate, melBands).map((frame) =>
    frame.map((logs) =>
      Float64Array.from({ length: coefficients }, (_, j) => {
        let sum = 0;
        for (let m = 0; m < melBands; m++) sum += logs[m]! * Math.cos((Math.PI * j * (2 * m + 1)) / (2 * melBands));
        return sum * Math.sqrt((j === 0 ? 1 : 2) / melBands);
      }),
    ),
  );
}
