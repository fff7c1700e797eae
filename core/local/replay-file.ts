import { createReadStream, statSync } from 'node:fs';
import { createInterface } from 'node:readline';
import type { MSKRecord } from 'aws-lambda';
import * as z from 'zod';
import { ConfigError } from '../errors.ts';
import { zodReason } from '../validation.ts';

/** One line of a replay file: a Kafka record in the Lambda event shape. */
const replayRecord = z.object({
  topic: z.string().min(1),
  partition: z.number().int().min(0),
  offset: z.number().int().min(0),
  timestamp: z.number(),
  timestampType: z.enum(['CREATE_TIME', 'LOG_APPEND_TIME']).default('CREATE_TIME'),
  key: z.string().nullable().optional(),
  value: z.string(),
  headers: z.array(z.record(z.string(), z.array(z.number().int().min(-128).max(255)))).default([]),
});

export type ReplayRecord = MSKRecord;

export interface ReplayLine {
  record: ReplayRecord;
  /** Bytes of the line, for progress against the file size. */
  bytes: number;
  line: number;
}

export function replayFileSize(path: string): number {
  try {
    return statSync(path).size;
  } catch (error) {
    throw new ConfigError(`cannot read replay file ${path}: ${(error as Error).message}`, { cause: error });
  }
}

/** Streams records from an NDJSON replay file; a malformed line is an error naming its number. */
export async function* readReplayFile(path: string): AsyncGenerator<ReplayLine> {
  replayFileSize(path);
  const lines = createInterface({ input: createReadStream(path), crlfDelay: Infinity });
  let line = 0;
  for await (const text of lines) {
    line++;
    if (text.trim() === '') continue;
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (error) {
      throw new ConfigError(`${path}:${line}: not JSON (${(error as Error).message})`);
    }
    const parsed = replayRecord.safeParse(json);
    if (!parsed.success) {
      throw new ConfigError(`${path}:${line}: not a replay record: ${zodReason(parsed.error)}`);
    }
    const { key, ...rest } = parsed.data;
    const record = (key === undefined || key === null ? rest : { ...rest, key }) as ReplayRecord;
    yield { record, bytes: Buffer.byteLength(text) + 1, line };
  }
}
