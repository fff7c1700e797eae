/**
 * Event stages natively, through whole pipelines: on every path this CPU has, the events (channel,
 * index, time, value, kind) and the pipeline snapshots (the kernel state and the clock after it)
 * equal TypeScript's bit for bit, for records of every size at irregular times, with the state
 * moved between backends between records; long quiet stretches (where the paths skip blocks with
 * vector compares) between bursts; and the binding refuses an event stage called without room for
 * its events' indices.
 */
import assert from 'node:assert/strict';
import { mulberry32 } from '../../../../testing/random.ts';
import { jsBackend, type DspBackend } from '../../../backend.ts';
import { pipeline, type PipelineSpec } from '../../../pipeline.ts';
import { assertSameBytes, captureError } from '../../../../../test/conformance/checks.ts';
import { addon, native, nativeKernel, onPath, paths } from '../../../../../test/conformance/native.ts';
import { describe, it } from '../../../../../test/conformance/runner.ts';
import { kindOf } from '../../catalogue.ts';
import { packParams } from '../../params.ts';
import { descriptorOf } from '../../catalogue.ts';

/** Bursts of noise between long quiet stretches (a sensor that is mostly calm), `channels` interleaved. */
function bursty(frames: number, channels: number, seed: number): Float32Array {
  const random = mulberry32(seed);
  const out = new Float32Array(frames * channels);
  for (let k = 0; k < frames; k++) {
    const loud = Math.floor(k / 300) % 4 === 1;
    for (let c = 0; c < channels; c++) out[k * channels + c] = (loud ? 3 : 0.2) * (random() * 2 - 1) + (k % 977 === c ? 50 : 0);
  }
  return out;
}

const specs: Array<[string, PipelineSpec, number]> = [
  ['peaks × 1', pipeline().peaks({ threshold: 1, minDistance: 4 }), 1],
  ['peaks × 3 after ema', pipeline({ channels: 3 }).ema({ alpha: 0.5 }).peaks({ threshold: 0.5 }), 3],
  ['crossings × 2', pipeline({ channels: 2 }).crossings({ high: 1.5, low: -1.5 }), 2],
  ['clipDetect × 5', pipeline({ channels: 5 }).clipDetect({ threshold: 2.5 }), 5],
];

/** Records of 1 … 700 frames at irregular times, some with a rate and some without. */
function records(frames: number, seed: number): Array<{ frames: number; timestamp: number; sampleRate: number | undefined }> {
  const random = mulberry32(seed);
  const out = [];
  let left = frames;
  let time = 1_700_000_000_000;
  while (left > 0) {
    const n = Math.min(left, random() < 0.3 ? 1 : 1 + Math.floor(random() * 700));
    const sampleRate = n === 1 && random() < 0.5 ? undefined : 250;
    out.push({ frames: n, timestamp: time, sampleRate });
    time += n * 4 + Math.floor(random() * 5000);
    left -= n;
  }
  return out;
}

function run(spec: PipelineSpec, backends: (record: number) => DspBackend, input: Float32Array, channels: number, seed: number) {
  const events: unknown[] = [];
  let p = spec.create(backends(0));
  let at = 0;
  records(input.length / channels, seed).forEach((record, i) => {
    if (i % 3 === 2) {
      // A later batch, maybe on the other backend: the state comes back from its snapshot.
      const next = spec.create(backends(i));
      next.restore(p.snapshot());
      p = next;
    }
    const out = p.run(input.subarray(at * channels, (at + record.frames) * channels), record);
    events.push(...out.events);
    at += record.frames;
  });
  return { events, snapshot: p.snapshot() };
}

describe('event stages natively, through pipelines', () => {
  for (const [label, spec, channels] of specs) {
    it(`${label}: events and snapshots equal TypeScript's on every path, records at irregular times, state moved between backends`, () => {
      const input = bursty(6000, channels, channels);
      const expected = run(spec, () => jsBackend, input, channels, 7);
      assert.ok(expected.events.length > 10, `${label}: the signal has events (${expected.events.length})`);
      for (const path of paths) {
        onPath(path, () => {
          const nat = run(spec, () => native, input, channels, 7);
          assert.deepEqual(nat.events, expected.events, `${label} ${path}: events`);
          assertSameBytes(nat.snapshot, expected.snapshot, `${label} ${path}: snapshot`);
          const mixed = run(spec, (i) => (i % 2 === 0 ? native : jsBackend), input, channels, 7);
          assert.deepEqual(mixed.events, expected.events, `${label} ${path}: events, state moved between backends`);
          assertSameBytes(mixed.snapshot, expected.snapshot, `${label} ${path}: snapshot, state moved between backends`);
        });
      }
    });
  }

  it('the binding refuses an event stage called without room for its indices', () => {
    const descriptor = descriptorOf('peaks');
    const params = descriptor.options.parse({ threshold: 0 });
    const handle = addon.create(kindOf('peaks'), 1, packParams(descriptor, params));
    const missing = captureError(() => addon.process(handle, new Float32Array(8), new Float32Array(24)));
    assert.match(String(missing), /needs a positions Float64Array/);
    const short = captureError(() => addon.process(handle, new Float32Array(8), new Float32Array(24), new Float64Array(7)));
    assert.match(String(short), /positions hold 7 values, 8 frames need 8/);
    assert.equal(addon.process(handle, Float32Array.of(0, 1, 0, 0, 2, 0, 0, 0), new Float32Array(24), new Float64Array(8)), 2);
    // The kernel wrapper owns its indices: 0, 1, 0 makes a peak at 1.
    const kernel = nativeKernel({ name: 'peaks', params } as never, 1);
    assert.equal(kernel.process(Float32Array.of(0, 1, 0), new Float32Array(9)), 1);
    assert.deepEqual(Array.from(kernel.eventIndices()), [1]);
    assert.equal(kernel.firstInputIndex(), 0);
  });
});
