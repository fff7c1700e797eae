/**
 * JSON sample arrays: dspfn's byte-level reader and shortest-float32 writer against what the
 * runtime gives for the same work, measured in the same run on 1,024-sample arrays.
 *
 *   npx tsx test/bench/json-bench.ts
 *
 * Two kinds of input text: 17-digit doubles (what JSON.stringify or Python's json write for
 * computed values) and shortest float32 text (what float32 sensors and dspfn's writer emit).
 */
import { pathToFileURL } from 'node:url';
import { SampleArrayReader } from '../../core/codecs/json-samples.ts';
import { nativeJsonText, useNativeJsonText, type NativeJsonText } from '../../core/codecs/native-json.ts';
import { isNativeAvailable, nativeBackend } from '../../core/dsp/native/loader.ts';
import { readSampleEnvelope } from '../../core/codecs/sample-envelope.ts';
import { JsonWriter } from '../../core/codecs/json-writer.ts';
import { measure, millions, table } from './measure.ts';

const SAMPLES = 1024;
const RECORDS = 64;

function signal(record: number): Float32Array {
  return Float32Array.from({ length: SAMPLES }, (_, i) => Math.sin((record * SAMPLES + i) / 50) * 2 + 0.1 + Math.cos(i * 0.37) * 0.01);
}

/**
 * dspfn's readers and writers with the TypeScript code alone and, where the native layer is built,
 * with its number routines registered (as the native backend does when it is created): rows of both.
 */
function implementations(): Array<[string, NativeJsonText | undefined]> {
  const list: Array<[string, NativeJsonText | undefined]> = [['TypeScript', undefined]];
  if (isNativeAvailable()) {
    nativeBackend();
    const native = nativeJsonText();
    if (native) list.push(['native', native]);
  }
  return list;
}

export function benchJson(): string {
  const kinds = implementations();
  const registered = nativeJsonText();
  try {
    return benchJsonWith(kinds);
  } finally {
    useNativeJsonText(registered);
  }
}

function benchJsonWith(kinds: Array<[string, NativeJsonText | undefined]>): string {
  /** A row per implementation: `work` measured with its number routines registered, beside `baseline`. */
  const rowsOf = (label: string, bytes: string, baseline: number, work: () => number): string[][] =>
    kinds.map(([name, native]) => {
      useNativeJsonText(native);
      const ours = measure(work);
      return [`${label} (${name})`, millions(ours), bytes, `${(ours / baseline).toFixed(2)}×`];
    });
  const floats = Array.from({ length: RECORDS }, (_, r) => signal(r));
  const writer = new JsonWriter();
  const inputs = {
    '17-digit doubles': floats.map((f) => Buffer.from(JSON.stringify(Array.from(f, (x) => x + 1e-9)))),
    'shortest float32': floats.map((f) => Buffer.from(writer.reset().float32Array(f).take())),
  };
  const reader = new SampleArrayReader(SAMPLES);
  let sink = 0;
  const rows: string[][] = [['JSON sample arrays, 1,024 samples', 'samples/s', 'bytes/sample', 'vs baseline']];

  for (const [kind, buffers] of Object.entries(inputs)) {
    const bytes = buffers.reduce((n, b) => n + b.length, 0) / (RECORDS * SAMPLES);
    const baseline = measure(() => {
      for (const b of buffers) sink += Float32Array.from(JSON.parse(b.toString('utf8')) as number[])[7]!;
      return RECORDS * SAMPLES;
    });
    rows.push([`read ${kind}: JSON.parse + Float32Array.from (baseline)`, millions(baseline), bytes.toFixed(1), '1.00×']);
    rows.push(...rowsOf(`read ${kind}: SampleArrayReader`, bytes.toFixed(1), baseline, () => {
      for (const b of buffers) {
        reader.readWhole(b);
        sink += reader.samples[7]!;
      }
      return RECORDS * SAMPLES;
    }));
  }

  const envelopes = floats.map((f, r) => Buffer.from(JSON.stringify({ deviceId: `device-${r}`, sampleRate: 1000, data: Array.from(f, (x) => x + 1e-9) })));
  const envelopeBaseline = measure(() => {
    for (const b of envelopes) {
      const reading = JSON.parse(b.toString('utf8')) as { deviceId: string; data: number[] };
      sink += Float32Array.from(reading.data)[3]! + reading.deviceId.length;
    }
    return RECORDS * SAMPLES;
  });
  rows.push(['read {"deviceId","sampleRate","data":[…]}: JSON.parse + Float32Array.from (baseline)', millions(envelopeBaseline), '', '1.00×']);
  rows.push(...rowsOf('read {"deviceId","sampleRate","data":[…]}: readSampleEnvelope', '', envelopeBaseline, () => {
    for (const b of envelopes) {
      const { fields } = readSampleEnvelope(reader, b, 'data');
      sink += reader.samples[3]! + (fields.deviceId as string).length;
    }
    return RECORDS * SAMPLES;
  }));

  const writeBaseline = measure(() => {
    for (const f of floats) sink += JSON.stringify(Array.from(f)).length;
    return RECORDS * SAMPLES;
  });
  const baselineBytes = floats.reduce((n, f) => n + JSON.stringify(Array.from(f)).length, 0) / (RECORDS * SAMPLES);
  const ourBytes = floats.reduce((n, f) => n + writer.reset().float32Array(f).byteLength, 0) / (RECORDS * SAMPLES);
  rows.push(['write: JSON.stringify(Array.from(f32)) to a string (baseline)', millions(writeBaseline), baselineBytes.toFixed(1), '1.00×']);
  rows.push(...rowsOf('write: JsonWriter.float32Array, shortest float32, to a Buffer', ourBytes.toFixed(1), writeBaseline, () => {
    for (const f of floats) sink += writer.reset().float32Array(f).take().length;
    return RECORDS * SAMPLES;
  }));
  if (sink === 42) console.log('');
  return table(rows);
}

// `npx tsx test/bench/json-bench.ts` runs it on its own.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  console.log(benchJson());
}
