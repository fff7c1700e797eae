import { createReadStream, statSync } from 'node:fs';
import { createInterface } from 'node:readline';
import type { MSKRecord } from 'aws-lambda';
import * as z from 'zod';
import { ConfigError } from '../errors.ts';
import { zodReason } from '../validation.ts';
import { jsonErrorPosition } from '../codecs/payload.ts';

/** One line of a replay file: a Kafka record in the Lambda event shape. */
const replayRecord = z.object({
  topic: z.string().min(1),
  partition: z.number().int().min(0),
  offset: z.number().int().min(0),
  timestamp: z.number(),
  timestampType: z.enum(['CREATE_TIME', 'LOG_APPEND_TIME']).default('CREATE_TIME'),
  key: z.string().nullable().optional(),
  // Absent or null: a tombstone.
  value: z.string().nullable().optional(),
  headers: z.array(z.record(z.string(), z.array(z.number().int().min(-128).max(255)))).default([]),
});

/** A record in the Lambda event shape; `value` is absent or null for a tombstone. */
export type ReplayRecord = Omit<MSKRecord, 'value'> & { value?: string | null };

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

/**
 * Per partition, the offset and line of the last record: Kafka delivers a partition in increasing
 * offset order, each offset once. A file that does not (hand-edited, concatenated, sorted by
 * time) would have its later records skipped as already applied, so it is refused instead.
 */
class OffsetOrder {
  private readonly last = new Map<string, { offset: number; line: number }>();

  constructor(private readonly path: string) {}

  check(record: ReplayRecord, line: number): void {
    const id = `${record.topic}-${record.partition}`;
    const previous = this.last.get(id);
    if (previous && record.offset === previous.offset) {
      throw new ConfigError(`${this.path}:${line}: offset ${record.offset} of ${id} appears twice (line ${previous.line}); a partition delivers each offset once.`);
    }
    if (previous && record.offset < previous.offset) {
      throw new ConfigError(
        `${this.path}:${line}: offset ${record.offset} of ${id} comes after offset ${previous.offset} (line ${previous.line}); Kafka delivers a partition in increasing offset order, so records would be skipped as already applied. Sort the file by offset within each partition.`,
      );
    }
    this.last.set(id, { offset: record.offset, line });
  }
}

/**
 * Streams records from an NDJSON replay file. A line that is not a replay record, or whose offset
 * does not follow its partition's previous one, is a ConfigError naming the line (never quoting
 * it: a replay file holds payloads).
 */
export async function* readReplayFile(path: string): AsyncGenerator<ReplayLine> {
  replayFileSize(path);
  const lines = createInterface({ input: createReadStream(path), crlfDelay: Infinity });
  const order = new OffsetOrder(path);
  let line = 0;
  for await (const text of lines) {
    line++;
    if (text.trim() === '') continue;
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (error) {
      throw new ConfigError(`${path}:${line}: not JSON${jsonErrorPosition(error)}`);
    }
    const parsed = replayRecord.safeParse(json);
    if (!parsed.success) {
      throw new ConfigError(`${path}:${line}: not a replay record: ${zodReason(parsed.error)}`);
    }
    const { key, value, ...rest } = parsed.data;
    const record = { ...rest, ...(key === undefined || key === null ? {} : { key }), ...(value === undefined || value === null ? {} : { value }) } as ReplayRecord;
    order.check(record, line);
    yield { record, bytes: Buffer.byteLength(text) + 1, line };
  }
}

/** Reads a whole replay file through the checks of readReplayFile; resolves to its record count. */
export async function checkReplayFile(path: string): Promise<number> {
  let records = 0;
  for await (const _ of readReplayFile(path)) records++;
  return records;
}
