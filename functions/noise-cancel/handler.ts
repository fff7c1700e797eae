import { defineFunction, deviceReadings, pipeline } from 'dspfn';

/**
 * Adaptive noise cancelling per device. Input: JSON `{"deviceId", "sampleRate", "data": [x0, d0,
 * x1, d1, …]}` (reference noise and noisy signal interleaved) or the same as raw f32le.
 */
export const handler = defineFunction({
  name: 'noise-cancel',
  codec: 'json',
  pipeline: pipeline({ channels: 2 }).nlms({ taps: 32, mu: 0.1 }),
  input: deviceReadings(),
  output: {
    topic: 'noise-cancelled',
    value: ({ key, record, output }) => ({
      deviceId: key,
      partition: record.partition,
      offset: record.offset,
      error: output,
    }),
  },
});
