// lz4js ships no types; only what compression.ts calls.
declare module 'lz4js' {
  export function compressBound(length: number): number;
  /** Compresses src[sIndex, sIndex + sLength) into dst from index 0; returns the bytes written (0: incompressible). */
  export function compressBlock(src: Uint8Array, dst: Uint8Array, sIndex: number, sLength: number, hashTable: Uint32Array): number;
  export function decompress(data: Uint8Array): Uint8Array;
}
declare module 'lz4js/xxh32.js' {
  export function hash(seed: number, data: Uint8Array, index: number, length: number): number;
}
