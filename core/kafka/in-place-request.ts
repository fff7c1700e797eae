import { HEADROOM } from './record-batch.ts';

/**
 * Produce request bodies written by record-batch.ts with HEADROOM free bytes of their arena in front.
 * The client's connection builds each request as a list of pieces (its header fields, then the
 * body) and sends `writer.buffer`, which concatenates them: a copy of the whole request into fresh
 * memory (a megabyte for a batch of 1,000 results) for the sake of a few dozen header bytes. For
 * a registered body, the header pieces are written into the headroom instead and the request is
 * one view of the arena, header and body, with the same bytes.
 */
const bodies = new WeakSet<Buffer>();

/** Lets `body` be sent in place; its arena must not be reused before the broker answered the request. */
export function sendInPlace(body: Buffer): void {
  bodies.add(body);
}

interface Pieces {
  readonly buffers: readonly Buffer[];
  readonly length: number;
}

/** The request as one view of the body's memory, or undefined when its pieces are not a header and a registered body. */
export function inPlace(pieces: Pieces): Buffer | undefined {
  const { buffers, length } = pieces;
  const count = buffers.length;
  if (count < 2) return undefined;
  const body = buffers[count - 1]!;
  if (!bodies.has(body)) return undefined;
  const head = length - body.length;
  if (head > HEADROOM || head > body.byteOffset) return undefined;
  const request = Buffer.from(body.buffer, body.byteOffset - head, length);
  let at = 0;
  for (let i = 0; i < count - 1; i++) {
    const piece = buffers[i]!;
    request.set(piece, at);
    at += piece.length;
  }
  return at === head ? request : undefined;
}

const patched = new WeakSet<object>();

/**
 * Teaches the client's Writer (its `buffer` getter, which every request's bytes go through) to
 * send registered bodies in place; any other writer is concatenated as before. Returns whether the
 * Writer has the shape this relies on (a `buffer` getter and a `dynamicBuffer` with the pieces).
 */
export function installInPlaceRequests(writer: { prototype?: object } | undefined): boolean {
  const prototype = writer?.prototype;
  if (!prototype) return false;
  if (patched.has(prototype)) return true;
  const buffer = Object.getOwnPropertyDescriptor(prototype, 'buffer');
  const pieces = Object.getOwnPropertyDescriptor(prototype, 'dynamicBuffer')?.get;
  const concatenated = buffer?.get;
  if (!buffer || !concatenated || !pieces || !buffer.configurable) return false;
  Object.defineProperty(prototype, 'buffer', {
    ...buffer,
    get(this: object): Buffer {
      return inPlace(pieces.call(this) as Pieces) ?? (concatenated.call(this) as Buffer);
    },
  });
  patched.add(prototype);
  return true;
}
