import net from 'node:net';

/**
 * A plaintext TCP socket that emits each Kafka response as one Buffer (size prefix included), and
 * reads large ones straight into that Buffer: Node's `onread` hands the kernel the unfilled rest of
 * the response as the next read's memory. A socket's default reads land in 64 KiB buffers that
 * kafkajs then concatenates into each response (a second full copy of every fetched byte, about as
 * costly as decoding the records). Responses shorter than a read are copied out of one reused
 * buffer. 'data' carries whole responses only; 'end', 'error' and the rest are the socket's own.
 */

/** Marks a socket whose 'data' events are whole responses. */
export const WHOLE_RESPONSES = Symbol.for('dspfn.kafka.wholeResponses');

const SCRATCH_BYTES = 64 * 1024;
const SIZE_BYTES = 4;

/** Cuts a byte stream into size-prefixed frames; reads go where `next()` says. */
export class ResponseFramer {
  readonly #scratch = Buffer.allocUnsafe(SCRATCH_BYTES);
  readonly #emit: (frame: Buffer) => void;
  /** The response being filled, once its size is known. */
  #frame: Buffer | undefined;
  #filled = 0;
  /** Size-prefix bytes seen before the rest of the prefix arrived. */
  readonly #prefix = Buffer.alloc(SIZE_BYTES);
  #prefixFilled = 0;

  constructor(emit: (frame: Buffer) => void) {
    this.#emit = emit;
  }

  /** Where the next read goes: the rest of a large response, or the scratch buffer. */
  next(): Buffer {
    const frame = this.#frame;
    return frame && frame.length - this.#filled > SCRATCH_BYTES / 4 ? frame.subarray(this.#filled) : this.#scratch;
  }

  /** `count` bytes were read into `into` (what next() returned). */
  read(count: number, into: Uint8Array): void {
    const frame = this.#frame;
    if (frame && into.buffer === frame.buffer && into.byteOffset === frame.byteOffset + this.#filled) {
      this.#filled += count;
      if (this.#filled === frame.length) this.#complete();
      return;
    }
    this.#take(into, 0, count);
  }

  /** Bytes [at, end) of a buffer that is not a response's own memory: copied where they belong. */
  #take(bytes: Uint8Array, at: number, end: number): void {
    while (at < end) {
      let frame = this.#frame;
      if (!frame) {
        const wanted = Math.min(SIZE_BYTES - this.#prefixFilled, end - at);
        this.#prefix.set(bytes.subarray(at, at + wanted), this.#prefixFilled);
        this.#prefixFilled += wanted;
        at += wanted;
        if (this.#prefixFilled < SIZE_BYTES) return;
        const size = this.#prefix.readInt32BE(0);
        if (size < 0) throw new Error(`malformed Kafka response: size ${size}`);
        frame = this.#frame = Buffer.allocUnsafe(SIZE_BYTES + size);
        this.#prefix.copy(frame, 0);
        this.#filled = SIZE_BYTES;
        this.#prefixFilled = 0;
      }
      const wanted = Math.min(frame.length - this.#filled, end - at);
      frame.set(bytes.subarray(at, at + wanted), this.#filled);
      this.#filled += wanted;
      at += wanted;
      if (this.#filled === frame.length) this.#complete();
    }
  }

  #complete(): void {
    const frame = this.#frame!;
    this.#frame = undefined;
    this.#filled = 0;
    this.#emit(frame);
  }
}

/** As kafkajs's default socket factory for plaintext (keep-alive included), with whole responses per 'data'. */
export function framedSocket(options: { host: string; port: number; onConnect: () => void }): net.Socket {
  let socket: net.Socket | undefined;
  const framer = new ResponseFramer((frame) => socket!.emit('data', frame));
  socket = net.connect(
    {
      host: options.host,
      port: options.port,
      onread: {
        buffer: () => framer.next(),
        callback: (count, into) => {
          try {
            framer.read(count, into);
          } catch (error) {
            socket!.destroy(error as Error);
            return false;
          }
          return true;
        },
      },
    },
    options.onConnect,
  );
  socket.setKeepAlive(true, 60_000);
  (socket as net.Socket & { [WHOLE_RESPONSES]?: true })[WHOLE_RESPONSES] = true;
  return socket;
}
