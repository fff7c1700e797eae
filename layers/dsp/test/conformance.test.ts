/**
 * Conformance, native half: for every catalogue stage, option case of its reference, accepted
 * channel count in {1, 2, 3, 5, 8} and signal, every SIMD path this CPU has (x64: scalar, sse2,
 * avx2; arm64: scalar, neon) against the TypeScript kernel, which the TypeScript half
 * (test/conformance/typescript.test.ts) holds to the float64 definition. Outputs and snapshot
 * bytes must be identical, or within the stage's stated bound on the paths it names
 * (descriptor.exactness). Nothing here is stage-specific.
 *
 * Per (stage, options, channels): each signal's 5,250-frame stream runs in calls of
 * 1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 33, 1000 and 4099 frames with guard words after every
 * output, on every path; one signal (rotating) also runs in place, through snapshot → restore →
 * continue on the same path and TypeScript → native → TypeScript on every path, and against
 * damaged, foreign and fuzzed states (restore has no SIMD path: on the best one). On arm64 (qemu)
 * the signals rotate over the cases (coverage "sampled", test/conformance/cases.ts);
 * DSPFN_CONFORMANCE=full|sampled overrides, DSPFN_CONFORMANCE_STAGES=ema,gain picks stages.
 */
import assert from 'node:assert/strict';
import { jsBackend } from '../../../core/dsp/backend.ts';
import { caseInput, conformanceCases, coverageFromEnv, stagesFromEnv, STREAM_FRAMES, type ConformanceCase } from '../../../test/conformance/cases.ts';
import type { SignalName } from '../../../test/conformance/signals.ts';
import {
  allowsInPlace,
  assertNativeOutput,
  assertSameBytes,
  assertSamePositions,
  eventIndicesOf,
  eventReport,
  framePositions,
  type CallRecord,
  assertSameSamples,
  checkRefusals,
  fuzzRestore,
  isExactOn,
  runChunks,
  runWhole,
  splits,
} from '../../../test/conformance/checks.ts';
import { describe, it } from '../../../test/conformance/runner.ts';
import { addon, native, nativeModuleForTests, onPath, paths } from '../../../test/conformance/native.ts';
import { catalogueProblems, type SimdPath } from '../../../core/dsp/native/loader.ts';
import { catalogue } from '../../../core/dsp/stages/catalogue.ts';
import type { StageKernel } from '../../../core/dsp/stages/kernel.ts';

const coverage = coverageFromEnv();
const cases = conformanceCases(coverage, stagesFromEnv());
console.log(`[dspfn conformance] ${nativeModuleForTests.file}: paths ${paths.join(', ')}; coverage ${coverage}; ${cases.length} cases`);

const ts = (c: ConformanceCase): StageKernel => jsBackend.createKernel(c.spec, c.channels);
const nat = (c: ConformanceCase): StageKernel => native.createKernel(c.spec, c.channels);

/** Snapshots: identical bytes where the path is exact, the same layout (length) where it is bounded. */
function assertState(c: ConformanceCase, path: SimdPath, actual: Uint8Array, expected: Uint8Array, what: string): void {
  if (isExactOn(c.descriptor, path)) assertSameBytes(actual, expected, what);
  else assert.equal(actual.length, expected.length, `${what}: snapshot layout (length)`);
}

/** The TypeScript run of a case's stream, computed once per (case, signal): under qemu the JIT is the slow part. */
const references = new Map<string, { input: Float32Array; expected: Float32Array; state: Uint8Array; positions: number[] }>();
function reference(c: ConformanceCase, name: SignalName) {
  const key = `${c.label} ${name}`;
  let entry = references.get(key);
  if (!entry) {
    const input = caseInput(c, name);
    const kernel = ts(c);
    const expected = runWhole(kernel, input);
    const events = eventReport(kernel, STREAM_FRAMES);
    const positions = framePositions(c.descriptor, c.spec.params, [
      { start: 0, offset: kernel.firstOutputOffset?.() ?? 0, written: expected.length / kernel.outChannels, ...(events ? { events } : {}) },
    ]);
    entry = { input, expected, state: kernel.snapshot(), positions };
    references.set(key, entry);
  }
  return entry;
}

const worst = new Map<string, number>();
function noteWorst(stage: string, value: number): void {
  worst.set(stage, Math.max(worst.get(stage) ?? 0, value));
}

describe('conformance: native paths against the TypeScript kernels', () => {
  it('the module was built from this catalogue (names, kind ids, state versions)', () => {
    assert.deepEqual(catalogueProblems(addon.stages()), []);
    assert.ok(paths[0] === 'scalar' && paths.length >= 1, `paths: ${paths.join(', ')}`);
  });

  for (const c of cases) {
    it(`${c.label}: every path, in calls of every length, with guard words`, () => {
      for (const name of c.signals) {
        const { input, expected, state, positions } = reference(c, name);
        for (const path of paths) {
          onPath(path, () => {
            const what = `${c.label} ${name} ${path}`;
            const kernel = nat(c);
            const calls: CallRecord[] = [];
            noteWorst(c.descriptor.name, assertNativeOutput(c.descriptor, path, runChunks(kernel, input, { what, calls }), expected, input, c.channels, what));
            assertState(c, path, kernel.snapshot(), state, what);
            assertSamePositions(framePositions(c.descriptor, c.spec.params, calls), positions, `${what}: output frame times (firstOutputOffset)`);
          });
        }
      }
    });

    it(`${c.label}: in place, restore → continue, TypeScript → native → TypeScript`, () => {
      const name = c.signals[c.index % c.signals.length]!;
      const { input, expected, positions } = reference(c, name);
      const [two, three] = splits(STREAM_FRAMES, c.index + 7);
      const [a, b, m] = [two![0]!, three![0]!, three![1]!];
      const part = (from: number, frames: number) => input.subarray(from * c.channels, (from + frames) * c.channels);
      for (const path of paths) {
        onPath(path, () => {
          const what = `${c.label} ${name} ${path}`;
          const check = (actual: Float32Array, label: string) =>
            noteWorst(c.descriptor.name, assertNativeOutput(c.descriptor, path, actual, expected, input, c.channels, `${what}: ${label}`));

          const probe = nat(c);
          if (allowsInPlace(c.descriptor, probe, STREAM_FRAMES)) {
            // In place must give what the same path gives out of place, bit for bit.
            assertSameSamples(runChunks(nat(c), input, { what, inPlace: true }), runChunks(probe, input, { what }), `${what}: in place`);
          }

          // Event stages: the events' indices continue across restores too.
          const indicesOf = (kernels: readonly StageKernel[]) => (c.descriptor.rate.kind === 'events' ? kernels.flatMap(eventIndicesOf) : []);
          const eventIndices = c.descriptor.rate.kind === 'events' ? positions : [];

          const first = nat(c);
          const head = runWhole(first, part(0, a));
          const headIndices = indicesOf([first]);
          const second = nat(c);
          second.restore(first.snapshot());
          check(Float32Array.from([...head, ...runWhole(second, part(a, STREAM_FRAMES - a))]), `restored on the same path after ${a} frames`);
          assertSamePositions([...headIndices, ...indicesOf([second])], eventIndices, `${what}: event indices restored after ${a} frames`);

          const t1 = ts(c);
          const o1 = runWhole(t1, part(0, b));
          const i1 = indicesOf([t1]);
          const n2 = nat(c);
          n2.restore(t1.snapshot());
          const o2 = runWhole(n2, part(b, m));
          const i2 = indicesOf([n2]);
          const t3 = ts(c);
          t3.restore(n2.snapshot());
          const o3 = runWhole(t3, part(b + m, STREAM_FRAMES - b - m));
          check(Float32Array.from([...o1, ...o2, ...o3]), `TypeScript ${b} → native ${m} → TypeScript`);
          assertSamePositions([...i1, ...i2, ...indicesOf([t3])], eventIndices, `${what}: event indices TypeScript → native → TypeScript`);
        });
      }
    });

    // restore does not depend on the SIMD path (ops->restore has none): the best path is enough.
    it(`${c.label}: damaged, foreign and fuzzed states`, () => {
      const name = c.signals[c.index % c.signals.length]!;
      const { input } = reference(c, name);
      const what = `${c.label} ${name}`;
      const prefix = input.subarray(0, 40 * c.channels);
      const rest = input.subarray(40 * c.channels, 140 * c.channels);
      const own = ts(c).snapshot().length;
      const foreign = cases
        .filter((o) => o.descriptor === c.descriptor && o !== c)
        .map((o) => {
          const k = ts(o);
          runWhole(k, caseInput(o, o.signals[0]!).subarray(0, 10 * o.channels));
          return k.snapshot();
        })
        .filter((state) => state.length !== own);
      checkRefusals(() => nat(c), prefix, rest, foreign, what);
      fuzzRestore(() => nat(c), prefix, rest, coverage === 'full' ? 40 : 12, c.index + 3, what);
    });
  }

  it('reports the worst deviation of bounded paths', () => {
    for (const d of catalogue) {
      if (d.exactness.kind === 'bounded' && worst.has(d.name)) {
        console.log(`[dspfn conformance] ${d.name}: worst |native − TS| / ${d.exactness.scaleDoc} on bounded paths ${worst.get(d.name)!.toExponential(2)} (bound ${d.exactness.bound})`);
      }
    }
  });
});
