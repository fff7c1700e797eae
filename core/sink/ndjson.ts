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

export function toOutputLine(message: OutputMessage): OutputLine {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(message.headers)) headers[name] = value.toString();
  const key = message.key === null ? null : message.key.toString();
  const isJson = message.headers[Header.contentType]?.toString().startsWith('application/json') ?? false;
  if (isJson) return { topic: message.topic, key, value: JSON.parse(message.value.toString()), headers };
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
    for (const message of messages) text += JSON.stringify(toOutputLine(message)) + '\n';
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
