/**
 * The native layer's CRC-32C (layers/dsp/src/kafka/crc32c.c: the CPU's CRC instructions in three
 * streams, about 4× @node-rs/crc32's bytes per second on a record batch), the checksum of every
 * record batch the producer writes. The native backend registers it when it is created
 * (core/dsp/native/loader.ts); without it the producer uses @node-rs/crc32 or the client's own.
 */
export interface NativeCrc32c {
  /** The CRC-32C of data, unsigned; `portable` takes the table path whatever the CPU has (for the tests). */
  crc32c(data: Uint8Array, portable?: boolean): number;
}

let active: ((data: Buffer) => number) | undefined;

/**
 * Registers (or with undefined, removes) the native CRC-32C for the process's producers, once it
 * gives the check value of CRC-32C (RFC 3720): a mismatched binary must not sign batches.
 */
export function useNativeCrc32c(native: NativeCrc32c | undefined): void {
  const crc32c = native?.crc32c;
  active = crc32c && crc32c(Buffer.from('123456789')) === 0xe3069283 ? (data) => crc32c(data) : undefined;
}

export function nativeCrc32c(): ((data: Buffer) => number) | undefined {
  return active;
}
