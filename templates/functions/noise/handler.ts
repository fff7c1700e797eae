import { defineFunction, deviceReadings, pipeline } from 'dspfn';

/**
 * Adaptive noise cancelling per device. Input: JSON `{"deviceId", "sampleRate", "data": [x0, d0,
 * x1, d1, …]}` (reference noise x and noisy signal d interleaved) or the same as raw f32le; output:
 * the cleaned signal (the NLMS error) on the `__name__` topic.
 */
export const handler = defineFunction({
  name: '__name__',
  codec: 'json',
  pipeline: pipeline({ channels: 2 }).nlms({ taps: 32, mu: 0.1 }),
  input: deviceReadings(),
  output: {
    topic: '__name__',
    value: ({ key, record, output }) => ({
      deviceId: key,
      partition: record.partition,
      offset: record.offset,
      cleaned: output,
    }),
  },
});
