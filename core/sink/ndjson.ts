import { createWriteStream, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Writable } from 'node:stream';
import { Header, type OutputMessage, type Sink } from './sink.ts';

/** One produced message as a replay output line. */
export interface OutputLine {
  topic: string;
  /** The key as UTF-8 text; null when there is none or when it is not UTF-8 (then `keyBase64`). */
  key: string | null;
  keyBase64?: string;
  /** A result or log dspfn wrote as JSON, decoded. */
  value?: unknown;
  /** Any other value, its bytes exactly (dead letters always: their bytes may be anything). */
  valueBase64?: string;
  /** The message has no value (the dead letter of a tombstone). */
  tombstone?: true;
  /** Header values as UTF-8 text; those that are not UTF-8 are in `headersBase64` instead. */
  headers: Record<string, string>;
  headersBase64?: Record<string, string>;
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

function utf8(bytes: string | Buffer): string | undefined {
  if (typeof bytes === 'string') return bytes;
  try {
    return strictUtf8.decode(bytes);
  } catch {
    return undefined;
  }
}

/** JSON text dspfn serialized itself (results and logs): it can be spliced into the line as it is. */
function isOwnJson(message: OutputMessage): message is OutputMessage & { value: string | Buffer } {
  return message.serializedJson === true && message.kind !== 'dead-letter' && message.value !== null;
}

/** dspfn's own JSON is text, or the UTF-8 bytes of it (results written into the result arena). */
function ownText(value: string | Buffer): string {
  return typeof value === 'string' ? value : value.toString('utf8');
}

/**
 * The decoded value of another message that says it is JSON, when it is. A dead letter keeps its
 * record's headers, so its `content-type` may say JSON over bytes that are not (or are not UTF-8):
 * its value is always written as base64, the bytes exactly.
 */
function jsonValue(message: OutputMessage & { value: string | Buffer }): { value: unknown } | undefined {
  if (message.kind === 'dead-letter' || !(message.headers[Header.contentType]?.toString().startsWith('application/json') ?? false)) return undefined;
  const text = utf8(message.value);
  if (text === undefined) return undefined;
  try {
    return { value: JSON.parse(text) as unknown };
  } catch {
    return undefined;
  }
}

/**
 * The NDJSON text of one message; it always parses. dspfn's own JSON values are spliced in as
 * they are rather than parsed and stringified again: results can be megabytes of numbers.
 */
export function outputLineText(message: OutputMessage): string {
  if (!isOwnJson(message)) return JSON.stringify(toOutputLine(message));
  // `{"topic":…,"headers":{…}` + `,"value":<json>}`: the spliced value goes last.
  return `${JSON.stringify(lineAround(message)).slice(0, -1)},"value":${ownText(message.value)}}`;
}

export function toOutputLine(message: OutputMessage): OutputLine {
  const line = lineAround(message);
  if (message.value === null) {
    line.tombstone = true;
    return line;
  }
  const json = isOwnJson(message) ? { value: JSON.parse(ownText(message.value)) as unknown } : jsonValue(message as OutputMessage & { value: string | Buffer });
  if (json) line.value = json.value;
  else line.valueBase64 = (typeof message.value === 'string' ? Buffer.from(message.value) : message.value).toString('base64');
  return line;
}

/** Everything of a line but the value. */
function lineAround(message: OutputMessage): OutputLine {
  const headers: Record<string, string> = {};
  const headersBase64: Record<string, string> = {};
  for (const [name, value] of Object.entries(message.headers)) {
    const text = utf8(value);
    if (text === undefined) headersBase64[name] = (value as Buffer).toString('base64');
    else headers[name] = text;
  }
  const line: OutputLine = { topic: message.topic, key: null, headers };
  if (Object.keys(headersBase64).length > 0) line.headersBase64 = headersBase64;
  if (message.key !== null) {
    const key = utf8(message.key);
    if (key === undefined) line.keyBase64 = (message.key as Buffer).toString('base64');
    else line.key = key;
  }
  return line;
}

/** Writes each message as one JSON line to a file or stream (replay `--out`, or stdout). */
export class NdjsonSink implements Sink {
  readonly name = 'ndjson';
  private readonly stream: Writable;
  private readonly ownsStream: boolean;

  constructor(target: string | Writable) {
    if (typeof target === 'string') {
      mkdirSync(dirname(target), { recursive: true });
      this.stream = createWriteStream(target);
      this.ownsStream = true;
    } else {
      this.stream = target;
      this.ownsStream = false;
    }
  }

  async send(messages: readonly OutputMessage[]): Promise<void> {
    if (messages.length === 0) return;
    let text = '';
    for (const message of messages) text += outputLineText(message) + '\n';
    await new Promise<void>((resolve, reject) => {
      this.stream.write(text, (error) => (error ? reject(error) : resolve()));
    });
  }

  async close(): Promise<void> {
    if (!this.ownsStream) return;
    await new Promise<void>((resolve, reject) => {
      this.stream.once('error', reject);
      this.stream.end(() => resolve());
    });
  }
}
