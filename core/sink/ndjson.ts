import { createWriteStream, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Writable } from 'node:stream';
import { Header, type OutputMessage, type Sink } from './sink.ts';

/** One produced message as a replay output line. */
export interface OutputLine {
  topic: string;
  key: string | null;
  value?: unknown;
  valueBase64?: string;
  headers: Record<string, string>;
}

/**
 * The NDJSON text of one message. A JSON value is spliced in as it is rather than parsed and
 * stringified again: results can be megabytes of numbers.
 */
export function outputLineText(message: OutputMessage): string {
  if (!isJsonMessage(message)) return JSON.stringify(toOutputLine(message));
  const key = message.key === null ? null : message.key.toString();
  return `{"topic":${JSON.stringify(message.topic)},"key":${JSON.stringify(key)},"value":${message.value.toString()},"headers":${JSON.stringify(headerStrings(message))}}`;
}

function isJsonMessage(message: OutputMessage): boolean {
  return message.headers[Header.contentType]?.toString().startsWith('application/json') ?? false;
}

function headerStrings(message: OutputMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(message.headers)) headers[name] = value.toString();
  return headers;
}

export function toOutputLine(message: OutputMessage): OutputLine {
  const headers = headerStrings(message);
  const key = message.key === null ? null : message.key.toString();
  if (isJsonMessage(message)) return { topic: message.topic, key, value: JSON.parse(message.value.toString()), headers };
  const bytes = typeof message.value === 'string' ? Buffer.from(message.value) : message.value;
  return { topic: message.topic, key, valueBase64: bytes.toString('base64'), headers };
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
