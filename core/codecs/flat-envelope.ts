import { nativeJsonText } from './native-json.ts';
import { numberValue, valueText, type PickedFields } from './sample-envelope.ts';
import type { SampleChunks } from './sample-chunks.ts';

/** Kinds in the native layer's slots (flat_envelope.h). */
const STRING = 1;
const NUMBER = 2;

/**
 * readSampleEnvelopePicking's common case in one native call per record: the flat envelope
 * (`{"deviceId":"d-1","sampleRate":1000,"data":[…]}`) scanned, its sample array parsed straight
 * into a block of `chunks` (no scratch array, no copy), and the wanted fields' bounds handed back,
 * so only their values are made here (by sample-envelope.ts's valueText and numberValue, as
 * flatFields makes them). It takes exactly what flatFields takes and leaves everything else to
 * readSampleEnvelopePicking.
 */
export class FlatEnvelopeReader {
  /**
   * The native call's one argument besides the record and the samples' memory: [at, wanted count,
   * kind/start/end of each wanted field's value, then the names (the sample field first), each
   * after its UTF-8 length]; undefined when a name does not fit a length byte.
   */
  private readonly frame: Int32Array | undefined;
  /** readMany's words per record in `results`: count, position, then 3 per wanted field. */
  private readonly stride: number;
  private spans = new Int32Array(0);
  private results = new Int32Array(0);

  constructor(
    field: string,
    private readonly pick: PickedFields,
  ) {
    const wanted = pick.names.length;
    this.stride = 2 + 3 * wanted;
    const names = [field, ...pick.names].map((name) => Buffer.from(name));
    if (wanted > 255 || names.some((name) => name.length > 255)) return;
    const encoded = Uint8Array.from(names.flatMap((name) => [name.length, ...name]));
    this.frame = new Int32Array(2 + 3 * wanted + Math.ceil(encoded.length / 4));
    this.frame[1] = wanted;
    new Uint8Array(this.frame.buffer, (2 + 3 * wanted) * 4).set(encoded);
  }

  /**
   * Reads the record into `chunks` (the samples at chunks.target[chunks.at …], for chunks.take)
   * and the wanted fields into the pick; returns the sample count, or -1 when the native layer is
   * absent or the record is anything but the flat envelope (then neither is touched).
   */
  read(bytes: Buffer, chunks: SampleChunks): number {
    const native = nativeJsonText();
    const { frame } = this;
    if (native?.readFlatEnvelope === undefined || frame === undefined) return -1;
    frame[0] = chunks.at;
    let count = native.readFlatEnvelope(bytes, chunks.target, frame);
    // Not enough room left in the chunk: once more in a new one (the first record, then one in a chunk's worth).
    if (count === -2 && chunks.renew()) {
      frame[0] = chunks.at;
      count = native.readFlatEnvelope(bytes, chunks.target, frame);
    }
    if (count < 0) return -1;
    const { values } = this.pick;
    for (let j = 0, s = 2; j < values.length; j++, s += 3) {
      const kind = frame[s];
      values[j] = kind === STRING ? valueText(bytes, frame[s + 1]!, frame[s + 2]!) : kind === NUMBER ? numberValue(bytes, frame[s + 1]!, frame[s + 2]!) : undefined;
    }
    return count;
  }

  /**
   * read() for values[from …] that lie in the memory of values[from] (a fetch response, the event's
   * value slab), in one native call: returns the index after the records it read, whose results
   * countAt, viewOf and pickAt give (by their index less `from`) until the next call; -1 when the
   * native layer has none of this (read them one by one). A record it leaves to the TypeScript
   * code counts -1, the first that fits no chunk as well (read() then reads it on its own terms).
   * Views are taken before the next call, which may renew the chunk.
   */
  readMany(values: readonly Buffer[], from: number, chunks: SampleChunks): number {
    const native = nativeJsonText();
    const { frame, stride } = this;
    if (native?.readFlatEnvelopes === undefined || frame === undefined) return -1;
    const memory = values[from]!.buffer;
    const most = values.length - from;
    if (this.spans.length < 2 * most) this.spans = new Int32Array(2 * most);
    if (this.results.length < stride * most) this.results = new Int32Array(stride * most);
    const { spans, results } = this;
    let count = 0;
    for (let k = from; k < values.length; k++) {
      const value = values[k]!;
      const start = value.byteOffset;
      // Positions are int32 (a longer one is read on its own).
      if (value.buffer !== memory || start + value.length > 0x7fffffff) break;
      spans[2 * count] = start;
      spans[2 * count + 1] = start + value.length;
      count++;
    }
    if (count === 0) {
      results[0] = -1;
      return from + 1;
    }
    const bytes = new Uint8Array(memory);
    const runs = spans.subarray(0, 2 * count);
    frame[0] = chunks.at;
    let done = native.readFlatEnvelopes(bytes, runs, chunks.target, frame, results);
    // The first record did not fit what is left of the chunk: once more in a new one.
    if (done === 0 && chunks.renew()) {
      frame[0] = chunks.at;
      done = native.readFlatEnvelopes(bytes, runs, chunks.target, frame, results);
    }
    if (done === 0) {
      results[0] = -1;
      return from + 1;
    }
    chunks.skipTo(frame[0]!);
    return from + done;
  }

  /** Record j of the last readMany: its sample count, -1 when read() is to read it. */
  countAt(j: number): number {
    return this.results[j * this.stride]!;
  }

  /** Record j's samples (countAt(j) of them) as a block of `chunks`, on take()'s terms. */
  viewOf(j: number, chunks: SampleChunks): Float32Array {
    const at = j * this.stride;
    return chunks.viewAt(this.results[at + 1]!, this.results[at]!);
  }

  /** Record j's wanted fields into the pick, from its bytes (as read() makes them). */
  pickAt(j: number, bytes: Buffer): void {
    const { values } = this.pick;
    const { results } = this;
    for (let f = 0, s = j * this.stride + 2; f < values.length; f++, s += 3) {
      const kind = results[s];
      values[f] = kind === STRING ? valueText(bytes, results[s + 1]!, results[s + 2]!) : kind === NUMBER ? numberValue(bytes, results[s + 1]!, results[s + 2]!) : undefined;
    }
  }
}
