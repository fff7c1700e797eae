/**
 * The result arena's memory is written again only after the sink released every batch whose
 * results it holds: a batch still waiting for its sink keeps its bytes, however many batches come
 * after it; a sink that may keep its messages (no `releasesValues`) never sees its memory reused.
 */
import { describe, expect, it } from 'vitest';
import { JsonWriter } from '../codecs/json-writer.ts';
import { jsBackend } from '../dsp/backend.ts';
import { pipeline } from '../dsp/pipeline.ts';
import { mskEvent } from '../events/build.ts';
import { deviceReadings } from '../inputs/device-readings.ts';
import { jsonLogger } from '../logger/logger.ts';
import type { OutputMessage, Sink } from '../sink/sink.ts';
import { MemoryStateStore } from '../state/memory.ts';
import { lambdaContext } from '../testing/context.ts';
import { defineFunction } from './define-function.ts';
import { ResultArena } from './result-arena.ts';

/** `text` (short: raw() reserves 3 bytes a character) written into the arena's writer and handed out. */
function write(writer: JsonWriter, arena: ResultArena, text: string): Buffer {
  writer.begin().raw(text);
  const view = writer.view();
  arena.handedOut();
  return view;
}

describe('ResultArena', () => {
  it('reuses a chunk only once every lease holding it is released and the writer moved on', () => {
    const arena = new ResultArena(256);
    const writer = new JsonWriter(256, arena.allocate);
    const a = arena.lease();
    const b = arena.lease();
    const aViews = arena.writing(a, () => Array.from({ length: 30 }, (_, i) => write(writer, arena, `"a${i}-${'x'.repeat(12)}"`)));
    const bViews = arena.writing(b, () => Array.from({ length: 30 }, (_, i) => write(writer, arena, `"b${i}-${'y'.repeat(12)}"`)));
    const aText = aViews.map((v) => v.toString());
    b.release();
    // b's chunks (all but the one it shares with a, and the current one) are free now.
    expect(arena.freeChunks).toBeGreaterThan(0);
    const bBuffers = new Set(bViews.map((v) => v.buffer));
    const c = arena.lease();
    const cViews = arena.writing(c, () => Array.from({ length: 60 }, (_, i) => write(writer, arena, `"c${i}-${'z'.repeat(12)}"`)));
    // c was written into b's memory, a's bytes stayed.
    expect(cViews.some((v) => bBuffers.has(v.buffer))).toBe(true);
    expect(aViews.map((v) => v.toString())).toEqual(aText);
    expect(cViews.some((v) => aViews.some((w) => w.buffer === v.buffer))).toBe(false);
  });

  it('never reuses a chunk holding a view handed out without a lease, or of a lease not released', () => {
    const arena = new ResultArena(256);
    const writer = new JsonWriter(256, arena.allocate);
    const kept = write(writer, arena, '"kept, no lease"');
    const failed = arena.lease();
    const failedViews = arena.writing(failed, () => Array.from({ length: 30 }, (_, i) => write(writer, arena, `"failed ${i} ${'f'.repeat(8)}"`)));
    const texts = [kept, ...failedViews].map((v) => v.toString());
    for (let round = 0; round < 20; round++) {
      const lease = arena.lease();
      arena.writing(lease, () => {
        for (let i = 0; i < 30; i++) write(writer, arena, `"round ${round} ${i} ${'r'.repeat(6)}"`);
      });
      lease.release();
    }
    expect(arena.freeChunks).toBeGreaterThan(0);
    expect([kept, ...failedViews].map((v) => v.toString())).toEqual(texts);
  });
});

const DEVICES = 12;
const SAMPLES = 64;

const rms = defineFunction({
  name: 'arena-rms',
  codec: 'json',
  pipeline: pipeline().movingAverage({ window: 4 }),
  input: deviceReadings(),
  output: { topic: 'out', value: ({ key, record, output }) => ({ deviceId: key, offset: record.offset, rms: output }) },
});

/** `count` records from offset `first` (~ 700 bytes of result JSON each: several arena chunks a batch), keys `${devices}-n`. */
function batch(first: number, count: number, devices = 'dev') {
  return mskEvent(
    Array.from({ length: count }, (_, i) => {
      const offset = first + i;
      const deviceId = `${devices}-${offset % DEVICES}`;
      return { key: deviceId, offset, value: { deviceId, sampleRate: 100, data: Array.from({ length: SAMPLES }, (_, s) => Math.sin((offset * SAMPLES + s) / 7) * 3 + 0.25) } };
    }),
    { topic: 'in' },
  );
}

/** A sink that says it keeps nothing once a send resolved, and resolves each send when told. */
class HeldSink implements Sink {
  readonly name = 'held';
  readonly releasesValues: boolean;
  readonly sends: Array<{ messages: readonly OutputMessage[]; copies: string[]; resolve: () => void; reject: (error: Error) => void }> = [];
  constructor(releases: boolean) {
    this.releasesValues = releases;
  }
  send(messages: readonly OutputMessage[]): Promise<void> {
    return new Promise((resolve, reject) => this.sends.push({ messages, copies: messages.map((m) => String(m.value)), resolve, reject }));
  }
  close = async () => {};
}

async function settled(): Promise<void> {
  for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
}

describe('result memory across batches', () => {
  for (const releases of [true, false]) {
    it(`a batch waiting for its sink keeps its result bytes while later batches reuse released memory (releasesValues ${releases})`, async () => {
      const sink = new HeldSink(releases);
      const handler = rms.dspfn.withRuntime({ sink, state: new MemoryStateStore(), backend: jsBackend, logger: jsonLogger({}, 'silent') });
      const context = lambdaContext({ functionName: 'arena-rms' });
      // Batch 0 waits for its sink all along; batch 1 fails; the rest are acknowledged one by one,
      // each before the next is processed, so their memory goes round.
      // (their own keys: no state conflicts between batches in flight together).
      const waiting = handler(batch(0, 600, 'held'), context);
      await settled();
      const failing = handler(batch(600, 600, 'failed'), context);
      await settled();
      expect(sink.sends).toHaveLength(2);
      sink.sends[1]!.reject(new Error('broker down'));
      await expect(failing).rejects.toThrow();
      const buffers: Array<Set<ArrayBufferLike>> = [0, 1].map((n) => new Set(sink.sends[n]!.messages.map((m) => (m.value as Buffer).buffer)));
      for (let n = 2; n < 10; n++) {
        const done = handler(batch(n * 600, 600), context);
        await settled();
        const send = sink.sends[n]!;
        buffers.push(new Set(send.messages.map((m) => (m.value as Buffer).buffer)));
        send.resolve();
        await done;
      }
      // A batch's memory is written again two batches later (a chunk is shared only by neighbours),
      // only for a sink that releases its values, and never the memory of a batch not released.
      let reused = false;
      for (let n = 2; n < 10; n++) for (let m = 0; m < n - 1; m++) for (const b of buffers[n]!) if (buffers[m]!.has(b)) {
        reused = true;
        expect(m).toBeGreaterThan(1);
      }
      expect(reused).toBe(releases);
      for (const held of [sink.sends[0]!, sink.sends[1]!]) expect(held.messages.map((m) => String(m.value))).toEqual(held.copies);
      sink.sends[0]!.resolve();
      await waiting;
    });
  }
});
