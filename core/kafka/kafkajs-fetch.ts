import { createRequire } from 'node:module';
import type { ISocketFactory } from 'kafkajs';
import { decodeFetchResponse, FETCH_VERSIONS, type Decompress } from './fetch-decoder.ts';
import { framedSocket, WHOLE_RESPONSES } from './framed-socket.ts';
import { finishBatches, withholdRecords, type FilterAborted } from './kafkajs-fetched-batch.ts';
import { installPausedFetch } from './kafkajs-paused-fetch.ts';

/**
 * kafkajs decodes every fetched record through Long/BigInt offsets and timestamps turned into
 * strings, a Decoder and Buffer slice per field and a header object per record: about as much CPU
 * as all the rest of `dspfn consume`'s work on a small record. For the clients that ask for it (a
 * Kafka config whose socketFactory is fastFetchSocketFactory()), Fetch responses are decoded by
 * dspfn's decoder instead (fetch-decoder.ts), straight into KafkaRecords that kafkajs's consumer
 * filters, hands to eachBatch and resolves as its own messages. Every other client in the process
 * (a bare kafkajs consumer, `dspfn record`) keeps kafkajs's decoder, and so does any response the
 * fast decoder does not take (legacy message sets, offsets past 2^53, anything malformed).
 *
 * kafkajs 2.2.4 is frozen; the hook wraps its Connection's `send` (the only place a response is
 * decoded) and `processData` (where a framed socket's whole responses skip kafkajs's concatenation),
 * and is tested against kafkajs's own decoder on generated batches and against a broker.
 */

const FAST_FETCH = Symbol.for('dspfn.kafkajs.fastFetch');
const PATCHED = Symbol.for('dspfn.kafkajs.fastFetch.send');
const FETCH_API_KEY = 1;

interface ResponseDecoder {
  decode(payload: Buffer): Promise<unknown>;
  parse(data: unknown): Promise<unknown>;
}

interface SendArguments {
  request: { apiKey: number; apiVersion: number };
  response: ResponseDecoder;
}

type Send = ((this: { socketFactory?: unknown }, args: SendArguments) => Promise<unknown>) & { [PATCHED]?: true };

/** What kafkajs's Connection.processData touches of the connection. */
interface ConnectionState {
  socket?: { [WHOLE_RESPONSES]?: true };
  authHandlers?: unknown;
  bytesBuffered: number;
  requestQueue: { fulfillRequest(response: { size: number; correlationId: number; payload: Buffer }): void };
}
type ProcessData = (this: ConnectionState, data: Buffer) => void;

interface KafkajsCodec {
  decompress(buffer: Buffer): Promise<Buffer>;
}

let installed: boolean | undefined;

/**
 * Wraps kafkajs's Connection.send and processData once per process; both act only on the connections
 * of a marked socket factory. False where kafkajs's modules cannot be reached (bundled without a
 * module registry): then fastFetchSocketFactory() returns undefined.
 */
function install(from: string): boolean {
  if (installed !== undefined) return installed;
  try {
    const require = createRequire(from);
    const Connection = require('kafkajs/src/network/connection.js') as { prototype: { send: Send; processData: ProcessData } };
    const { lookupCodecByAttributes } = require('kafkajs/src/protocol/message/compression/index.js') as {
      lookupCodecByAttributes(attributes: number): KafkajsCodec | null;
    };
    const decompress: Decompress = async (attributes, compressed) => {
      const codec = lookupCodecByAttributes(attributes);
      if (!codec) throw new Error(`unknown compression codec ${attributes & 0x07}`);
      return codec.decompress(compressed);
    };
    const send = Connection.prototype.send;
    if (typeof send !== 'function') return (installed = false);
    if (send[PATCHED]) return (installed = true);
    const patched: Send = function (this, args) {
      const { request } = args;
      if (request.apiKey === FETCH_API_KEY && (this.socketFactory as { [FAST_FETCH]?: true } | undefined)?.[FAST_FETCH]) {
        const version = request.apiVersion;
        if (version >= FETCH_VERSIONS.min && version <= FETCH_VERSIONS.max) args = { ...args, response: fastResponse(args.response, version, decompress) };
      }
      return send.call(this, args);
    };
    patched[PATCHED] = true;
    const processData = Connection.prototype.processData;
    if (typeof processData !== 'function') return (installed = false);
    // The same clients' fetch loops wake on a resume() when every partition was paused (kafkajs-paused-fetch.ts).
    // Batches of the fast decoder's records are filtered by number rather than through kafkajs's Longs (kafkajs-fetched-batch.ts).
    const filterAborted = require('kafkajs/src/consumer/filterAbortedMessages.js') as FilterAborted;
    const ConsumerGroup = require('kafkajs/src/consumer/consumerGroup.js') as Parameters<typeof installPausedFetch>[0];
    if (!installPausedFetch(ConsumerGroup, FAST_FETCH, (batches) => finishBatches(batches, filterAborted))) return (installed = false);
    Connection.prototype.send = patched;
    // A framed socket's 'data' is one whole response: handed on as it is (kafkajs would copy it into
    // a concatenation of its buffered chunks, even alone). Authentication keeps kafkajs's own path.
    Connection.prototype.processData = function (this, data) {
      if (this.socket?.[WHOLE_RESPONSES] && !this.authHandlers && this.bytesBuffered === 0) {
        this.requestQueue.fulfillRequest({ size: data.length - 4, correlationId: data.readInt32BE(4), payload: data.subarray(8) });
        return;
      }
      processData.call(this, data);
    };
    return (installed = true);
  } catch {
    return (installed = false);
  }
}

/** The version's decoder with dspfn's record decoding; kafkajs's own for whatever dspfn's does not take. */
function fastResponse(kafkajs: ResponseDecoder, version: number, decompress: Decompress): ResponseDecoder {
  return {
    async decode(payload) {
      try {
        const response = await decodeFetchResponse(payload, version, decompress);
        for (const topic of response.responses) for (const partition of topic.partitions) withholdRecords(partition);
        return response;
      } catch {
        // Unusual input (or a codec error kafkajs reports in its own words): kafkajs decides.
        return kafkajs.decode(payload);
      }
    },
    parse: (data) => kafkajs.parse(data),
  };
}

/**
 * kafkajs's default socket factory, marked so that the Fetch responses of the client built with it
 * are decoded by dspfn (records come out as FetchedRecord). Undefined where that is not possible.
 * `framed` (for clients without SASL: kafkajs's oldest SASL handshake sends unframed bytes):
 * plaintext connections read each response into its own memory (framed-socket.ts).
 */
export function fastFetchSocketFactory(options: { framed: boolean }, from: string = import.meta.url): ISocketFactory | undefined {
  if (!install(from)) return undefined;
  const require = createRequire(from);
  const base = (require('kafkajs/src/network/socketFactory.js') as () => ISocketFactory)();
  const factory: ISocketFactory & { [FAST_FETCH]?: true } = (args) => (options.framed && !args.ssl ? framedSocket(args) : base(args));
  factory[FAST_FETCH] = true;
  return factory;
}
