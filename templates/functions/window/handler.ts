import { defineFunction, pipeline, readings } from 'dspfn';

/**
 * One-minute statistics per device, in event time. Input: JSON `{"deviceId", "value", "timestamp"}`;
 * output: one result per device and minute on the `__name__` topic, once the partition's newest
 * reading is 10 s past the minute's end. Later readings go to `<topic>.late`; a partition quiet
 * for 5 minutes has its last minutes closed by the scheduled tick.
 */
export const handler = defineFunction({
  name: '__name__',
  input: readings({ key: 'deviceId', value: 'value', timestamp: 'timestamp' }),
  pipeline: pipeline(),
  window: { type: 'tumbling', size: '1m' },
  aggregate: ['count', 'mean', 'min', 'max'],
  allowedLateness: '10s',
  idleTimeout: '5m',
  output: {
    topic: '__name__',
    value: ({ window }) => ({
      deviceId: window!.key,
      start: new Date(window!.start).toISOString(),
      end: new Date(window!.end).toISOString(),
      count: window!.count,
      mean: window!.mean,
      min: window!.min,
      max: window!.max,
    }),
  },
});
