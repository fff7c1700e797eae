import type { BatchReport } from '../handler/report.ts';
import type { KafkaConnectionOptions } from '../kafka/connection.ts';
import type { Compression } from '../kafka/compression.ts';
import type { LogLevel } from '../logger/logger.ts';
import type { BatchSource, OutputKind, OutputMessage } from '../sink/sink.ts';
import type { CommitResult, StateEntry, StoredState, WindowIndexQuery } from '../state/store.ts';
import type { BatchOutcome } from './batch-outcome.ts';
import type { EventShape } from './lambda-event.ts';

/** What a consume thread is started with (its workerData): all of it structured-cloneable. */
export interface ThreadSettings {
  /** The function's module (what the CLI loaded). */
  functionModule: string;
  functionName: string;
  invocation: { functionName: string; shape: EventShape; bootstrapServers: string };
  logLevel: LogLevel;
  /**
   * Where outputs go: `kafka` — the thread's own KafkaSink on this connection (no function-valued
   * settings: the brokers are resolved and authentication is rebuilt from these fields); `main` —
   * sent to the consuming thread's sink (a caller's sink, or a report that must see every message).
   */
  sink: { to: 'kafka'; connection: KafkaConnectionOptions; compression?: Compression } | { to: 'main' };
  /** Record what the function shows a SignalObserver, for the report on the main thread. */
  observe: boolean;
}

/** A SignalObserver call, replayed on the main thread (the arrays are copies). */
export type ObservedCall =
  | { call: 'input'; key: string; samples: Float32Array; channels: number; timestamp: number; sampleRate: number | undefined }
  | { call: 'output'; key: string; samples: Float32Array; channels: number; frames: number; timestamp: number; sampleRate: number | undefined }
  | { call: 'window'; key: string; start: number; end: number; channels: ReadonlyArray<Readonly<Record<string, number | undefined>>> };

/** What a thread's sink acknowledged and its function reported since its previous answer. */
export interface ThreadCounts {
  produced: Record<OutputKind, number>;
  late: number;
  deadLettersByCode: Record<string, number>;
  reports: BatchReport[];
  observed: ObservedCall[];
}

export type ToThread =
  | { type: 'batch'; id: number; buffer: ArrayBuffer }
  | { type: 'reply'; id: number; value?: unknown; error?: unknown }
  | { type: 'close' };

export type FromThread =
  | { type: 'ready' }
  | { type: 'load-failed'; message: string }
  | { type: 'answer'; id: number; outcome: BatchOutcome; counts: ThreadCounts }
  | { type: 'load'; id: number; keys: readonly string[]; windows?: readonly WindowIndexQuery[] }
  | { type: 'commit'; id: number; entries: readonly StateEntry[] }
  | { type: 'send'; id: number; messages: readonly OutputMessage[]; source?: BatchSource }
  | { type: 'closed' };

export type StateReply = Map<string, StoredState> | CommitResult[];

/**
 * Structured clone turns a Buffer into a plain Uint8Array: the bytes are the same, the type a sink
 * expects is not. A view, not a copy.
 */
export function asBuffer<T>(value: T): T | Buffer {
  return value instanceof Uint8Array && !Buffer.isBuffer(value) ? Buffer.from(value.buffer, value.byteOffset, value.byteLength) : value;
}

/** An OutputMessage as sent, after a trip through postMessage. */
export function revivedMessage(message: OutputMessage): OutputMessage {
  const headers: Record<string, string | Buffer> = {};
  for (const name in message.headers) headers[name] = asBuffer(message.headers[name]!);
  return { ...message, key: asBuffer(message.key), value: asBuffer(message.value), headers };
}

/**
 * An error as it can cross to another thread: an Error keeps its name, message and stack (its class
 * does not survive a structured clone anyway); anything else becomes an Error describing it.
 */
export function portableError(error: unknown): Error {
  if (error instanceof Error) {
    const copy = new Error(error.message);
    copy.name = error.name;
    if (error.stack !== undefined) copy.stack = error.stack;
    return copy;
  }
  return new Error(typeof error === 'string' ? error : `non-Error thrown: ${String(error)}`);
}
