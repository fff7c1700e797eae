import { defineReference } from '../reference.ts';
import { eventRows, sampleAt, type EventRow } from '../families/events/events.reference.ts';

export const reference = defineReference('clipDetect', {
  // Runs in the noise and sines; a threshold that is not a float32 value inside the DC signal
  // (long runs across calls); a subnormal threshold (every channel in a run at once).
  cases: [{ threshold: 0.8 }, { threshold: 1e5 + 0.3 }, { threshold: 5e-40 }],
  definition: (input, channels, { threshold }) => {
    const frames = input.length / channels;
    const rows: EventRow[] = [];
    for (let c = 0; c < channels; c++) {
      for (let n = 0; n < frames; n++) {
        const x = sampleAt(input, channels, n, c);
        const clipped = (n: number) => Math.abs(sampleAt(input, channels, n, c)) >= threshold;
        if (clipped(n) && (n === 0 || !clipped(n - 1))) rows.push({ index: n, channel: c, code: 0, value: x });
      }
    }
    return eventRows(rows);
  },
  definitionBound: 0,
  bench: {
    options: { threshold: 0.99 },
    plain: ({ threshold }, channels) => {
      const inRun = new Uint8Array(channels);
      const indices = new Float64Array(1024 * channels);
      let n = 0;
      return (input, output) => {
        let written = 0;
        for (let k = 0; k < input.length / channels; k++, n++) {
          for (let c = 0; c < channels; c++) {
            const x = input[k * channels + c]!;
            const clipped = Math.abs(x) >= threshold;
            if (clipped && !inRun[c]) {
              output[written * 3] = c;
              output[written * 3 + 1] = 0;
              output[written * 3 + 2] = x;
              indices[written++] = n;
            }
            inRun[c] = clipped ? 1 : 0;
          }
        }
      };
    },
  },
});
