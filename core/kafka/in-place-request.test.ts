import { Writer } from '@platformatic/kafka';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { inPlace, installInPlaceRequests, sendInPlace } from './in-place-request.ts';
import { BatchArena, HEADROOM } from './record-batch.ts';

/** A body in an arena, as encodeProduceBody leaves it. */
function bodyOf(bytes: Uint8Array): Buffer {
  const arena = new BatchArena(8 * 1024);
  arena.take(bytes.length).set(bytes);
  return arena.body();
}

const piece = fc.uint8Array({ minLength: 1, maxLength: 40 }).map((a) => Buffer.from(a));

describe('requests sent in place', () => {
  it('are the same bytes as the concatenated pieces, in the body\'s own memory, when the header fits the headroom', () => {
    fc.assert(
      fc.property(fc.array(piece, { minLength: 1, maxLength: 12 }), fc.uint8Array({ minLength: 1, maxLength: 300 }), (header, bytes) => {
        const body = bodyOf(bytes);
        sendInPlace(body);
        const buffers = [...header, body];
        const length = buffers.reduce((n, b) => n + b.length, 0);
        const request = inPlace({ buffers, length });
        const head = length - body.length;
        if (head > HEADROOM) {
          expect(request).toBeUndefined();
          return;
        }
        expect(request).toEqual(Buffer.concat(buffers));
        expect(request!.buffer).toBe(body.buffer);
        expect(request!.byteOffset + head).toBe(body.byteOffset);
      }),
      { numRuns: 300 },
    );
  });

  it('leave any other list of pieces to the concatenation', () => {
    const body = bodyOf(Buffer.from('body'));
    expect(inPlace({ buffers: [Buffer.from('h'), body], length: 5 })).toBeUndefined();
    sendInPlace(body);
    expect(inPlace({ buffers: [body], length: 4 })).toBeUndefined();
    expect(inPlace({ buffers: [body, Buffer.from('after')], length: 9 })).toBeUndefined();
    // Pieces that do not add up to the length given: not a request this understands.
    expect(inPlace({ buffers: [Buffer.from('h'), body], length: 6 })).toBeUndefined();
  });

  it("go through the client's Writer: a registered body in place, every other writer concatenated as before", () => {
    expect(installInPlaceRequests(Writer)).toBe(true);
    expect(installInPlaceRequests(Writer)).toBe(true);
    expect(installInPlaceRequests(undefined)).toBe(false);
    expect(installInPlaceRequests({ prototype: {} })).toBe(false);
    const body = bodyOf(Buffer.from('the request body'));
    sendInPlace(body);
    const frame = (payload: Writer) => Writer.create().appendInt16(0).appendInt16(11).appendInt32(42).appendString('dspfn', false).appendTaggedFields().appendFrom(payload).prependLength();
    const sent = frame(Writer.create().append(body)).buffer;
    const copied = frame(Writer.create().append(Buffer.from('the request body'))).buffer;
    expect(sent).toEqual(copied);
    expect(sent.buffer).toBe(body.buffer);
    expect(copied.buffer).not.toBe(body.buffer);
    expect(Writer.create().appendInt32(5).buffer).toEqual(Buffer.from([0, 0, 0, 5]));
  });
});
