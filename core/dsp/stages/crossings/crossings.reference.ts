import { defineReference } from '../reference.ts';
import { eventRows, sampleAt, type EventRow } from '../families/events/events.reference.ts';

export const reference = defineReference('crossings', {
  // A narrow band in the noise and sines (crossings every few samples); a band around 1e5 whose
  // edges are not float32 values (the DC signal); one around 0 at subnormal size.
  cases: [
    { high: 0.1, low: -0.1 },
    { high: 1e5 + 1.3, low: 1e5 - 0.7 },
    { high: 5e-40, low: -5e-40 },
  ],
  definition: (input, channels, { high, low }) => {
    const frames = input.length / channels;
    const rows: EventRow[] = [];
    for (let c = 0; c < channels; c++) {
      let side: 'below' | 'above' = 'below';
      for (let n = 0; n < frames; n++) {
        const x = sampleAt(input, channels, n, c);
        if (side === 'below' && x >= high) {
          rows.push({ index: n, channel: c, code: 0, value: x });
          side = 'above';
        } else if (side === 'above' && x <= low) {
          rows.push({ index: n, channel: c, code: 1, value: x });
          side = 'below';
        }
      }
    }
    return eventRows(rows);
  },
  definitionBound: 0,
  bench: {
    options: { high: 0.95, low: -0.95 },
    plain: ({ high, low }, channels) => {
      const above = new Uint8Array(channels);
      const indices = new Float64Array(1024 * channels);
      let n = 0;
      return (input, output) => {
        let written = 0;
        for (let k = 0; k < input.length / channels; k++, n++) {
          for (let c = 0; c < channels; c++) {
            const x = input[k * channels + c]!;
            if (above[c] ? x <= low : x >= high) {
              output[written * 3] = c;
              output[written * 3 + 1] = above[c]!;
              output[written * 3 + 2] = x;
              indices[written++] = n;
              above[c] = above[c] ? 0 : 1;
            }
          }
        }
      };
    },
  },
});
