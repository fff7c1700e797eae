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
  /** Count of wanted names, then each name (the sample field first) after its UTF-8 length; undefined: not encodable. */
  private readonly names: Uint8Array | undefined;
  /** Kind, start and end of each wanted field's value, as the native call leaves them. */
  private readonly slots: Int32Array;

  constructor(
    field: string,
    private readonly pick: PickedFields,
  ) {
    const encoded = [field, ...pick.names].map((name) => Buffer.from(name));
    this.names =
      pick.names.length <= 255 && encoded.every((name) => name.length <= 255)
        ? Uint8Array.from([pick.names.length, ...encoded.flatMap((name) => [name.length, ...name])])
        : undefined;
    this.slots = new Int32Array(3 * pick.names.length);
  }

  /**
   * Reads the record into `chunks` (the samples at chunks.target[chunks.at …], for chunks.take)
   * and the wanted fields into the pick; returns the sample count, or -1 when the native layer is
   * absent or the record is anything but the flat envelope (then neither is touched).
   */
  read(bytes: Buffer, chunks: SampleChunks): number {
    const native = nativeJsonText();
    if (native?.readFlatEnvelope === undefined || this.names === undefined) return -1;
    let count = native.readFlatEnvelope(bytes, this.names, chunks.target, chunks.at, this.slots);
    // Not enough room left in the chunk: once more in a new one (the first record, then one in a chunk's worth).
    if (count === -2 && chunks.renew()) count = native.readFlatEnvelope(bytes, this.names, chunks.target, chunks.at, this.slots);
    if (count < 0) return -1;
    const { slots } = this;
    const { values } = this.pick;
    for (let j = 0, s = 0; j < values.length; j++, s += 3) {
      const kind = slots[s];
      values[j] = kind === STRING ? valueText(bytes, slots[s + 1]!, slots[s + 2]!) : kind === NUMBER ? numberValue(bytes, slots[s + 1]!, slots[s + 2]!) : undefined;
    }
    return count;
  }
}
