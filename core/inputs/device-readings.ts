import * as z from 'zod';
import type { Payload } from '../codecs/payload.ts';
import { DecodeError } from '../errors.ts';
import { keyText, type KafkaRecord } from '../events/types.ts';
import type { SampleBlock } from '../handler/definition.ts';
import { zodReason } from '../validation.ts';

export interface DeviceReadingsOptions {
  /** JSON field holding the key. Default `deviceId`. */
  keyField?: string;
  /** JSON field holding the interleaved samples. Default `data`. */
  dataField?: string;
}

/**
 * The common sensor shape: JSON `{"deviceId": string, "sampleRate": number, "data": number[]}`, or
 * raw f32le samples whose record key is the device id. Returns a function `input`.
 */
export function deviceReadings(options: DeviceReadingsOptions = {}): (payload: Payload, record: KafkaRecord) => SampleBlock {
  const keyField = options.keyField ?? 'deviceId';
  const dataField = options.dataField ?? 'data';
  const schema = z.object({
    [keyField]: z.string().min(1),
    sampleRate: z.number().positive().optional(),
    timestamp: z.number().optional(),
    [dataField]: z.array(z.number()),
  });
  return function deviceReading(payload, record) {
    if (payload.codec === 'f32le') {
      if (record.key === null) throw new DecodeError(`f32le records need the ${keyField} as record key`);
      const key = keyText(record);
      if (key === undefined) throw new DecodeError(`the record key of an f32le record (its ${keyField}) is not UTF-8 text`);
      return { key, samples: payload.samples };
    }
    if (payload.codec !== 'json') throw new DecodeError(`expected JSON or f32le, got ${payload.codec}`);
    const parsed = schema.safeParse(payload.value);
    if (!parsed.success) {
      throw new DecodeError(`invalid reading: ${zodReason(parsed.error)}`);
    }
    const value = parsed.data as Record<string, unknown>;
    return {
      key: value[keyField] as string,
      samples: value[dataField] as number[],
      ...(typeof value.sampleRate === 'number' ? { sampleRate: value.sampleRate } : {}),
      ...(typeof value.timestamp === 'number' ? { timestamp: value.timestamp } : {}),
    };
  };
}
