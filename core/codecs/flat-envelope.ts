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

  constructor(
    field: string,
    private readonly pick: PickedFields,
  ) {
    const wanted = pick.names.length;
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
}
