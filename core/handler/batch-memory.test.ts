import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { jsBackend } from '../dsp/backend.ts';
import { pipeline } from '../dsp/pipeline.ts';
import { f32leBytes, mskEvent } from '../events/build.ts';
import { jsonLogger } from '../logger/logger.ts';
import type { OutputMessage, Sink } from '../sink/sink.ts';
import { MemoryStateStore } from '../state/memory.ts';
import { lambdaContext } from '../testing/context.ts';
import { defineFunction } from './define-function.ts';
import type { SampleBlock } from './definition.ts';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

describe('a batch waiting for its outputs to be produced', () => {
  it('no longer holds its decoded records (blocks and samples), only its messages', async () => {
    const blocks: Array<WeakRef<SampleBlock>> = [];
    const fn = defineFunction({
      name: 'held',
      codec: 'f32le',
      pipeline: pipeline().movingAverage({ window: 2 }),
      input: (_payload, record) => {
        const block: SampleBlock = { key: `k${record.offset % 3}`, samples: new Float32Array([record.offset, 1]) };
        blocks.push(new WeakRef(block));
        return block;
      },
      output: { topic: 'out', value: ({ key, output }) => ({ key, y: Array.from(output) }) },
    });
    let alive = -1;
    const sent: OutputMessage[] = [];
    const sink: Sink = {
      name: 'collecting',
      async send(messages) {
        // Two turns of the event loop and a full collection: what the batch still holds survives.
        await new Promise((resolve) => setImmediate(resolve));
        gc();
        if (messages.length > 0) alive = blocks.filter((ref) => ref.deref() !== undefined).length;
        sent.push(...messages);
      },
      async close() {},
    };
    const handler = fn.dspfn.withRuntime({ sink, state: new MemoryStateStore(), backend: jsBackend, logger: jsonLogger({}, 'silent') });
    const records = Array.from({ length: 12 }, (_, i) => ({ key: `k${i % 3}`, offset: i, value: f32leBytes(new Float32Array([i, i + 1])) }));
    await handler(mskEvent(records), lambdaContext());
    expect(blocks).toHaveLength(12);
    expect(sent).toHaveLength(12);
    expect(alive).toBe(0);
  });
});
