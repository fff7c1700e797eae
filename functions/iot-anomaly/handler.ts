import { defineFunction, pipeline, readings } from 'dspfn';

/**
 * Anomalies per device and sensor (seed 003): readings `{ deviceId, sensorType, value, unit,
 * timestamp (ISO-8601), location }`, each scored against the 20 readings of the same device and
 * sensor before it (z-score); |z| ≥ 2 is a warning, |z| ≥ 3 critical. Every reading gets a
 * status, keyed by device so a device's statuses stay in order downstream.
 */
export const handler = defineFunction({
  name: 'iot-anomaly',
  input: readings({ key: (reading) => `${String(reading.deviceId)}/${String(reading.sensorType)}`, timestamp: 'timestamp' }),
  pipeline: pipeline().zScore({ window: 20, excludeCurrent: true }),
  output: {
    topic: 'sensor-anomalies',
    key: ({ block }) => String(block.meta?.deviceId),
    value: ({ block, output, timestamp }) => {
      const z = output[0]!;
      return {
        deviceId: block.meta?.deviceId,
        sensorType: block.meta?.sensorType,
        value: block.meta?.value,
        unit: block.meta?.unit,
        location: block.meta?.location,
        timestamp: new Date(timestamp).toISOString(),
        zScore: z,
        status: Math.abs(z) >= 3 ? 'critical' : Math.abs(z) >= 2 ? 'warning' : 'normal',
      };
    },
  },
});
