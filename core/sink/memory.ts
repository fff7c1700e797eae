import type { OutputKind, OutputMessage, Sink } from './sink.ts';

/** Collects messages in process: the sink for unit tests. */
export class MemorySink implements Sink {
  readonly name = 'memory';
  readonly messages: OutputMessage[] = [];

  async send(messages: readonly OutputMessage[]): Promise<void> {
    this.messages.push(...messages);
  }

  ofKind(kind: OutputKind): OutputMessage[] {
    return this.messages.filter((m) => m.kind === kind);
  }

  onTopic(topic: string): OutputMessage[] {
    return this.messages.filter((m) => m.topic === topic);
  }

  /** Parsed JSON values of the messages on a topic. */
  json<T = unknown>(topic: string): T[] {
    return this.onTopic(topic).map((m) => JSON.parse(String(m.value)) as T);
  }

  clear(): void {
    this.messages.length = 0;
  }

  async close(): Promise<void> {}
}
