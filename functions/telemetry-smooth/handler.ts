import { defineFunction, pipeline, protobuf, readings } from 'dspfn';

/**
 * Racing telemetry smoothed per session (seed 004): each record is one protobuf TelemetryFrame
 * (Confluent framing or none), keyed by the session id; speed, throttle and brake are smoothed
 * over the last 5 frames. The producer's session headers travel with each result.
 */
export const handler = defineFunction({
  name: 'telemetry-smooth',
  codec: protobuf({ schema: new URL('./telemetry.proto', import.meta.url), type: 'telemetry.TelemetryFrame' }),
  input: readings({ value: ['speed', 'throttle', 'brake'], timestamp: 'timestamp' }),
  pipeline: pipeline({ channels: 3 }).movingAverage({ window: 5 }),
  propagateHeaders: ['sessionId', 'userId', 'traceparent'],
  output: {
    topic: 'telemetry-smooth',
    value: ({ key, output, timestamp, block }) => ({
      sessionId: key,
      timestamp,
      lapNumber: block.meta?.lapNumber,
      speed: output[0],
      throttle: output[1],
      brake: output[2],
    }),
  },
});
