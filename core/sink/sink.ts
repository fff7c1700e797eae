export type OutputKind = 'result' | 'log' | 'dead-letter';

export interface OutputMessage {
  readonly kind: OutputKind;
  readonly topic: string;
  readonly key: string | Buffer | null;
  /** null: no value (the dead letter of a tombstone). */
  readonly value: string | Buffer | null;
  readonly headers: Readonly<Record<string, string | Buffer>>;
  /**
   * The value is JSON text that dspfn wrote itself (JSON.stringify of a result or a batch log), so
   * a sink may use it as JSON without parsing it again.
   */
  readonly serializedJson?: true;
}

/** Where the messages of a send come from: the invocation's event. */
export interface BatchSource {
  /** The event's `bootstrapServers`: where a Kafka sink without configured brokers writes. */
  readonly bootstrapServers: readonly string[];
}

/**
 * Where results, logs and dead letters go. `send` resolves only when every message is durably
 * accepted; a rejection fails the batch so the event source retries it.
 */
export interface Sink {
  readonly name: string;
  send(messages: readonly OutputMessage[], source?: BatchSource): Promise<void>;
  /**
   * Optional: true for a sink that, once a `send` resolved, reads none of its messages' values
   * again and handed them to nothing that does (it copied them, or no longer needs them): the
   * handler may then write later results into their memory. A sink that may keep them (a test's
   * memory sink) leaves it unset.
   */
  readonly releasesValues?: boolean;
  /**
   * Optional: load the client and connect now (at init) rather than in the first send. Rejects
   * when the destination cannot be reached; the first send then tries again.
   */
  warm?(): Promise<void>;
  close(): Promise<void>;
}

export const Header = {
  contentType: 'content-type',
  sourceTopic: 'dspfn-source-topic',
  sourcePartition: 'dspfn-source-partition',
  sourceOffset: 'dspfn-source-offset',
  function: 'dspfn-function',
  /** Position of a result among the several one record produced (`output.value` returned an array). */
  resultIndex: 'dspfn-result-index',
  errorCode: 'dspfn-error-code',
  errorReason: 'dspfn-error-reason',
  channels: 'dspfn-channels',
  timestamp: 'dspfn-timestamp',
  sampleRate: 'dspfn-sample-rate',
} as const;
