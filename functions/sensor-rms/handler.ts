import { defineFunction, deviceReadings, pipeline } from 'dspfn';

/**
 * Smoothed RMS level per device. Input: JSON `{"deviceId", "sampleRate", "data": number[]}` or raw
 * f32le samples keyed by device id.
 */
export const handler = defineFunction({
  name: 'sensor-rms',
  codec: 'json',
  pipeline: pipeline().movingAverage({ window: 10 }).rms({ window: 5 }),
  input: deviceReadings(),
  output: {
    topic: 'sensor-rms',
    value: ({ key, record, output }) => ({
      deviceId: key,
      partition: record.partition,
      offset: record.offset,
      rms: output,
    }),
  },
});
