/**
 * What is special to the windowed statistics, beyond the conformance suite, in TypeScript and on
 * every native path this CPU has (this file also runs on arm64 under qemu):
 *  - an output depends on its own window and nothing else, bit for bit: a sample changed to 1e30
 *    (or NaN) changes exactly the outputs whose window holds it, so nothing drifts and a burst
 *    leaves no trace once it has left the window (NaN: those outputs are NaN, the others exact);
 *  - long windows (blocks longer than any call) and channel counts that use every vector width,
 *    with the state moved between backends in the middle of a block.
 */
import assert from 'node:assert/strict';
import { mulberry32 } from '../../../../testing/random.ts';
import { jsBackend } from '../../../backend.ts';
import type { StageKernel } from '../../kernel.ts';
import { assertSameBytes, assertSameSamples, runWhole } from '../../../../../test/conformance/checks.ts';
import { nativeKernel, onPath, paths } from '../../../../../test/conformance/native.ts';
import { describe, it } from '../../../../../test/conformance/runner.ts';
import type { StageSpec } from '../../catalogue.ts';

const specs: StageSpec[] = [
  { name: 'variance', params: { window: 7 } },
  { name: 'stddev', params: { window: 1 } },
  { name: 'zScore', params: { window: 5, excludeCurrent: true, epsilon: 1e-12 } },
  { name: 'zScore', params: { window: 16, excludeCurrent: false, epsilon: 1e-12 } },
  { name: 'meanAbsolute', params: { window: 9 } },
  { name: 'min', params: { window: 6 } },
  { name: 'max', params: { window: 11 } },
];

function noise(frames: number, channels: number, seed: number, offset = 0): Float32Array {
  const random = mulberry32(seed);
  return Float32Array.from({ length: frames * channels }, () => offset + 2 * random() - 1);
}

const backends: [string, (spec: StageSpec, channels: number) => StageKernel][] = [
  ['TypeScript', (spec, channels) => jsBackend.createKernel(spec, channels)],
  ...paths.map((path): [string, (spec: StageSpec, channels: number) => StageKernel] => [
    path,
    (spec, channels) => {
      const kernel = nativeKernel(spec, channels);
      return {
        inChannels: kernel.inChannels,
        outChannels: kernel.outChannels,
        maxOutputFrames: (n) => kernel.maxOutputFrames(n),
        process: (input, output) => onPath(path, () => kernel.process(input, output)),
        snapshot: () => kernel.snapshot(),
        restore: (state) => kernel.restore(state),
      };
    },
  ]),
];

describe('windowed statistics: an output depends on its window only', () => {
  for (const [backend, make] of backends) {
    it(`${backend}: a sample set to 1e30 or NaN changes exactly the outputs whose window holds it`, () => {
      const channels = 3;
      const frames = 200;
      for (const spec of specs) {
        const { window } = spec.params as { window: number };
        const exclude = spec.name === 'zScore' && (spec.params as { excludeCurrent: boolean }).excludeCurrent;
        const clean = noise(frames, channels, window, 1e4);
        const expected = runWhole(make(spec, channels), clean);
        for (const [q, value] of [[37, 1e30], [100, Number.NaN], [150, -1e30]] as const) {
          const changed = clean.slice();
          changed[q * channels + 1] = value;
          const actual = runWhole(make(spec, channels), changed);
          // Frames whose window (zScore with excludeCurrent: the window before, and the sample) holds frame q.
          const last = q + window - (exclude ? 0 : 1);
          for (let n = 0; n < frames; n++) {
            for (let c = 0; c < channels; c++) {
              const i = n * channels + c;
              const what = `${backend} ${spec.name}(${JSON.stringify(spec.params)}) frame ${n} ch ${c}, frame ${q} set to ${value}`;
              if (c !== 1 || n < q || n > last) assert.ok(Object.is(actual[i], expected[i]), `${what}: ${actual[i]} vs ${expected[i]} without it`);
              else if (Number.isNaN(value) && spec.name !== 'min' && spec.name !== 'max') assert.ok(Number.isNaN(actual[i]), `${what}: ${actual[i]}, not NaN`);
            }
          }
        }
      }
    });
  }
});

describe('windowed statistics: long windows and wide frames, state moved between backends mid-block', () => {
  const shapes: [StageSpec, number, number][] = [
    [{ name: 'zScore', params: { window: 5000, excludeCurrent: true, epsilon: 1e-12 } }, 3, 12_000],
    [{ name: 'variance', params: { window: 3000 } }, 1, 9_000],
    [{ name: 'max', params: { window: 4000 } }, 2, 9_000],
    [{ name: 'meanAbsolute', params: { window: 2500 } }, 2, 6_000],
    [{ name: 'stddev', params: { window: 10 } }, 13, 300],
    [{ name: 'min', params: { window: 3 } }, 13, 300],
    [{ name: 'zScore', params: { window: 4, excludeCurrent: false, epsilon: 1e-12 } }, 64, 100],
  ];
  for (const [spec, channels, frames] of shapes) {
    it(`${spec.name}(${JSON.stringify(spec.params)}) × ${channels} ch`, () => {
      const input = noise(frames, channels, frames + channels, 1e3);
      const ts = jsBackend.createKernel(spec, channels);
      const expected = runWhole(ts, input);
      const cut = Math.floor(frames * 0.77) * channels; // inside a block after the first for the long windows
      for (const path of paths) {
        onPath(path, () => {
          const what = `${spec.name} × ${channels} ${path}`;
          // TypeScript up to the cut, native after it, and the other way round.
          const first = jsBackend.createKernel(spec, channels);
          const head = runWhole(first, input.subarray(0, cut));
          const second = nativeKernel(spec, channels);
          second.restore(first.snapshot());
          assertSameSamples(Float32Array.from([...head, ...runWhole(second, input.subarray(cut))]), expected, `${what}: TypeScript → native`);
          assertSameBytes(second.snapshot(), ts.snapshot(), what);
          const third = nativeKernel(spec, channels);
          const head2 = runWhole(third, input.subarray(0, cut));
          const fourth = jsBackend.createKernel(spec, channels);
          fourth.restore(third.snapshot());
          assertSameSamples(Float32Array.from([...head2, ...runWhole(fourth, input.subarray(cut))]), expected, `${what}: native → TypeScript`);
        });
      }
    }, 120_000);
  }
});
