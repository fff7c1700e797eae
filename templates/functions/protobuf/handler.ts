import { defineFunction, pipeline, protobuf, readings } from 'dspfn';

/**
 * Protobuf readings (`sensors.Reading` in reading.proto; plain or with Confluent / AWS Glue
 * schema-registry framing) smoothed per device over the last 5 readings. Output: one JSON result
 * per reading on the `__name__` topic.
 */
export const handler = defineFunction({
  name: '__name__',
  codec: protobuf({ schema: new URL('./reading.proto', import.meta.url), type: 'sensors.Reading' }),
  input: readings({ key: 'deviceId', value: 'value', timestamp: 'timestamp' }),
  pipeline: pipeline().movingAverage({ window: 5 }),
  output: {
    topic: '__name__',
    value: ({ key, output, timestamp }) => ({ deviceId: key, timestamp, average: output[0] }),
  },
});
