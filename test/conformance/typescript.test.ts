/**
 * Conformance, TypeScript half: every catalogue stage's TypeScript kernel, for every option case of
 * its reference, every channel count in {1, 2, 3, 5, 8} it accepts and every signal, against its
 * float64 definition and the kernel contract. The native half (layers/dsp/test/conformance.test.ts)
 * holds the native paths to these kernels. Nothing here is stage-specific: a new stage is covered
 * by adding it to the catalogue with a reference. DSPFN_CONFORMANCE_STAGES=ema,gain runs only those.
 */
import assert from 'node:assert/strict';
import { ConfigError } from '../../core/errors.ts';
import { jsBackend } from '../../core/dsp/backend.ts';
import { pipeline } from '../../core/dsp/pipeline.ts';
import { catalogue, type StageName } from '../../core/dsp/stages/catalogue.ts';
import type { AnyStageDescriptor } from '../../core/dsp/stages/descriptor.ts';
import { caseInput, conformanceCases, LENGTHS, stagesFromEnv, STREAM_FRAMES, type ConformanceCase } from './cases.ts';
import {
  allowsInPlace,
  assertDefinition,
  assertSameBytes,
  assertSamePositions,
  definitionOutput,
  eventIndicesOf,
  eventReport,
  framePositions,
  type CallRecord,
  assertSameSamples,
  captureError,
  checkRefusals,
  fuzzRestore,
  runChunks,
  runWhole,
  splits,
} from './checks.ts';
import { describe, it } from './runner.ts';

const only = stagesFromEnv();
const cases = conformanceCases('full', only);

function kernel(c: ConformanceCase) {
  return jsBackend.createKernel(c.spec, c.channels);
}

describe('conformance: TypeScript kernels', () => {
  for (const c of cases) {
    it(`${c.label}: float64 definition, splits, snapshot → restore → continue, in place, guard words`, () => {
      for (const name of c.signals) {
        const what = `${c.label} ${name}`;
        const input = caseInput(c, name);
        const whole = kernel(c);
        const expected = runWhole(whole, input);
        const state = whole.snapshot();
        const events = eventReport(whole, STREAM_FRAMES);
        const wholePositions = framePositions(c.descriptor, c.spec.params, [
          { start: 0, offset: whole.firstOutputOffset?.() ?? 0, written: expected.length / whole.outChannels, ...(events ? { events } : {}) },
        ]);
        if (c.descriptor.rate.kind === 'same') assert.equal(expected.length, STREAM_FRAMES * whole.outChannels, `${what}: one output frame per input frame`);

        const definition = definitionOutput(c.descriptor, c.reference.definition(input, c.channels, c.spec.params as never));
        assertDefinition(expected, definition.frames, input, c.reference.definitionBound, `${what} vs definition`, c.reference.definitionScale);
        if (events) assertSamePositions(events.indices, definition.indices, `${what}: event indices vs definition`);

        const chunked = kernel(c);
        const calls: CallRecord[] = [];
        assertSameSamples(runChunks(chunked, input, { what, calls }), expected, `${what}: in calls of ${LENGTHS.join(', ')}`);
        assertSameBytes(chunked.snapshot(), state, `${what}: in calls`);
        // Rate-changing stages: every output frame is timed where the whole stream times it.
        assertSamePositions(framePositions(c.descriptor, c.spec.params, calls), wholePositions, `${what}: output frame times in calls`);

        for (const parts of splits(STREAM_FRAMES, c.index * 13 + name.length)) {
          // Each part on a fresh kernel restored from the previous one's snapshot.
          let previous: Uint8Array | undefined;
          const outputs: Float32Array[] = [];
          const indices: number[] = [];
          let at = 0;
          for (const frames of parts) {
            const k = kernel(c);
            if (previous) k.restore(previous);
            outputs.push(runWhole(k, input.subarray(at * c.channels, (at + frames) * c.channels)));
            indices.push(...eventIndicesOf(k));
            previous = k.snapshot();
            at += frames;
          }
          const joined = Float32Array.from(outputs.flatMap((o) => [...o]));
          assertSameSamples(joined, expected, `${what}: split ${parts.join(' + ')} through snapshots`);
          assertSamePositions(indices, events?.indices ?? [], `${what}: event indices, split ${parts.join(' + ')} through snapshots`);
          assertSameBytes(previous!, state, `${what}: split ${parts.join(' + ')}`);
        }

        if (allowsInPlace(c.descriptor, whole, STREAM_FRAMES)) {
          assertSameSamples(runChunks(kernel(c), input, { what, inPlace: true }), expected, `${what}: in place`);
        }
      }
    });

    it(`${c.label}: damaged, foreign and fuzzed states`, () => {
      const name = c.signals[c.index % c.signals.length]!;
      const input = caseInput(c, name);
      const prefix = input.subarray(0, 40 * c.channels);
      const rest = input.subarray(40 * c.channels, 140 * c.channels);
      checkRefusals(() => kernel(c), prefix, rest, foreignStates(c), `${c.label} ${name}`);
      fuzzRestore(() => kernel(c), prefix, rest, 40, c.index + 1, `${c.label} ${name}`);
    });
  }

  for (const descriptor of catalogue as readonly AnyStageDescriptor[]) {
    if (only.length > 0 && !only.includes(descriptor.name)) continue;
    it(`${descriptor.name}: refused channel counts are a ConfigError naming the stage`, () => {
      const cs = cases.filter((c) => c.descriptor === descriptor);
      for (const channels of [1, 2, 3, 5, 8]) {
        const params = cs[0]!.spec.params;
        if (typeof descriptor.channels.out(channels, params) === 'number') continue;
        const spec = pipeline({ channels });
        const error = captureError(() => (spec[descriptor.name as StageName] as (o: unknown) => unknown)(cs[0]!.reference.cases[0]));
        assert.ok(error instanceof ConfigError, `${descriptor.name} on ${channels} channel(s) must be a ConfigError, got ${String(error)}`);
        assert.equal(error.stage, descriptor.name);
        assert.ok(error.message.startsWith(`${descriptor.name} `), error.message);
      }
    });
  }
});

/** States of the same stage that this case must refuse: other channel counts or options with another layout. */
function foreignStates(c: ConformanceCase): Uint8Array[] {
  const own = kernel(c).snapshot().length;
  return cases
    .filter((o) => o.descriptor === c.descriptor && o !== c)
    .map((o) => {
      const k = kernel(o);
      runWhole(k, caseInput(o, o.signals[0]!).subarray(0, 10 * o.channels));
      return k.snapshot();
    })
    .filter((state) => state.length !== own);
}
