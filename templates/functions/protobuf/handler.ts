import { defineFunction, pipeline, protobuf, readings } from 'dspfn';

/**
 * Protobuf readings smoothed per device. Input: one `readings.Reading` per record (reading.proto,
 * beside this file and shipped with the bundle; Confluent or Glue schema-registry framing is
 * detected); output: the reading with its exponential moving average, at the reading's event time.
 */
export const codec = protobuf({ schema: new URL('./reading.proto', import.meta.url), type: 'readings.Reading' });

export const handler = defineFunction({
  name: '__name__',
  codec,
  input: readings({ key: 'deviceId', value: 'value', timestamp: 'timestamp' }),
  pipeline: pipeline().ema({ alpha: 0.3 }),
  output: {
    topic: '__name__',
    value: ({ key, output, timestamp, block }) => ({ deviceId: key, value: block.meta?.value, smoothed: output[0], timestamp }),
  },
});
