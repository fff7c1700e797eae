import { defineFunction, pipeline, readings } from 'dspfn';

/**
 * One-minute averages per key (seed 001): `{ "key", "value", "timestamp" }` events in, one result
 * per key and minute once the partition's watermark passes the minute's end, with count, mean, min
 * and max. Events up to 10 s out of order still count; later ones go to `input-events.late`. A
 * partition quiet for 5 minutes has its last minutes closed by the scheduled tick.
 */
export const handler = defineFunction({
  name: 'window-avg',
  input: readings({ key: 'key', timestamp: 'timestamp' }),
  pipeline: pipeline(),
  window: { type: 'tumbling', size: '1m' },
  aggregate: ['count', 'mean', 'min', 'max'],
  allowedLateness: '10s',
  idleTimeout: '5m',
  output: {
    topic: 'output-results',
    value: ({ window }) => ({
      key: window!.key,
      windowStart: new Date(window!.start).toISOString(),
      windowEnd: new Date(window!.end).toISOString(),
      count: window!.count,
      avg: window!.mean,
      min: window!.min,
      max: window!.max,
    }),
  },
});
