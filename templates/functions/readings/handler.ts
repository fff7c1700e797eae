import { defineFunction, pipeline, readings } from 'dspfn';

/**
 * Smoothed IoT readings per device and sensor. Input: one JSON reading per record,
 * `{"deviceId", "sensorType", "value", "timestamp"}` (ISO-8601 with a zone, or epoch ms); output: the
 * reading with the mean of its sensor's last 5 readings, at the reading's own event time.
 */
export const handler = defineFunction({
  name: '__name__',
  input: readings({ key: (v) => `${v.deviceId}:${v.sensorType}`, value: 'value', timestamp: 'timestamp' }),
  pipeline: pipeline().movingAverage({ window: 5 }),
  output: {
    topic: '__name__',
    value: ({ key, output, timestamp, block }) => ({ sensor: key, value: block.meta?.value, mean: output[0], timestamp }),
  },
});
