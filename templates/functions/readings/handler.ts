import { defineFunction, pipeline, readings } from 'dspfn';

/**
 * One reading per record, smoothed per device. Input: JSON `{"deviceId", "value", "timestamp"}`
 * (ISO-8601 or epoch ms); output: one JSON result per reading on the `__name__` topic.
 */
export const handler = defineFunction({
  name: '__name__',
  input: readings({ key: 'deviceId', value: 'value', timestamp: 'timestamp' }),
  pipeline: pipeline().ema({ alpha: 0.2 }),
  output: {
    topic: '__name__',
    value: ({ key, output, timestamp, block }) => ({
      deviceId: key,
      timestamp: new Date(timestamp).toISOString(),
      value: block.meta?.value,
      smoothed: output[0],
    }),
  },
});
