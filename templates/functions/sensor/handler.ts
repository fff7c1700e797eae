import { defineFunction, deviceReadings, pipeline } from 'dspfn';

/**
 * Smoothed RMS level per device. Input: JSON `{"deviceId", "sampleRate", "data": number[]}` or raw
 * f32le samples keyed by device id; output: one JSON result per record on the `__name__` topic.
 */
export const handler = defineFunction({
  name: '__name__',
  codec: 'json',
  pipeline: pipeline().movingAverage({ window: 10 }).rms({ window: 5 }),
  input: deviceReadings(),
  output: {
    topic: '__name__',
    value: ({ key, record, output }) => ({
      deviceId: key,
      partition: record.partition,
      offset: record.offset,
      rms: output,
    }),
  },
});
