import { defineReference } from '../reference.ts';
import { eventRows, sampleAt, type EventRow } from '../families/events/events.reference.ts';

export const reference = defineReference('peaks', {
  // 0.5 with a distance of 7: peaks held back by the previous one; a threshold that is not a
  // float32 value inside the DC signal with a distance of 1,000 (spanning calls); -1e31: every local
  // maximum (noise, plateaus of the slow sines, subnormals, the huge signal).
  cases: [{ threshold: 0.5, minDistance: 7 }, { threshold: 1e5 + 0.3, minDistance: 1000 }, { threshold: -1e31, minDistance: 2 }],
  definition: (input, channels, { threshold, minDistance }) => {
    const frames = input.length / channels;
    const rows: EventRow[] = [];
    for (let c = 0; c < channels; c++) {
      let last: number | undefined;
      const x = (n: number) => sampleAt(input, channels, n, c);
      for (let n = 1; n + 1 < frames; n++) {
        if (x(n) > threshold && x(n) > x(n - 1) && x(n) >= x(n + 1) && (last === undefined || n - last >= minDistance)) {
          rows.push({ index: n, channel: c, code: 0, value: x(n) });
          last = n;
        }
      }
    }
    return eventRows(rows);
  },
  definitionBound: 0,
  bench: {
    options: { threshold: 0.9, minDistance: 5 },
    plain: ({ threshold, minDistance }, channels) => {
      const previous = new Float64Array(channels);
      const before = new Float64Array(channels);
      const last = new Float64Array(channels).fill(-Infinity);
      const indices = new Float64Array(1024 * channels);
      let n = 0;
      return (input, output) => {
        let written = 0;
        for (let k = 0; k < input.length / channels; k++, n++) {
          for (let c = 0; c < channels; c++) {
            const x = input[k * channels + c]!;
            const p = previous[c]!;
            if (n >= 2 && p > threshold && p > before[c]! && p >= x && n - 1 - last[c]! >= minDistance) {
              output[written * 3] = c;
              output[written * 3 + 1] = 0;
              output[written * 3 + 2] = p;
              indices[written++] = n - 1;
              last[c] = n - 1;
            }
            before[c] = p;
            previous[c] = x;
          }
        }
      };
    },
  },
});
