import { SnapshotError } from '../errors.ts';

/**
 * The stored value of a windowed function's key: its pipeline snapshot and its window state
 * section (see KeyWindows.snapshot) under one offset fence. Format version 1, little-endian:
 *   "DSPK" · u16 version · u16 0 · u32 pipeline snapshot length · pipeline snapshot · window state section
 */
export function joinKeyValue(pipeline: Uint8Array, windows: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + pipeline.length + windows.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, KEY_MAGIC, true);
  view.setUint16(4, KEY_VERSION, true);
  view.setUint32(8, pipeline.length, true);
  out.set(pipeline, 12);
  out.set(windows, 12 + pipeline.length);
  return out;
}

/** Whether a stored snapshot is a windowed key's value (rather than a plain pipeline snapshot). */
export function isWindowedKeyValue(bytes: Uint8Array): boolean {
  return bytes.length >= 12 && new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(0, true) === KEY_MAGIC;
}

export function splitKeyValue(bytes: Uint8Array): { pipeline: Uint8Array; windows: Uint8Array } {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (!isWindowedKeyValue(bytes)) throw new SnapshotError('not the state of a windowed dspfn function (bad magic)');
  const version = view.getUint16(4, true);
  if (version !== KEY_VERSION) throw new SnapshotError(`windowed key state version ${version} is not supported (this dspfn reads ${KEY_VERSION})`);
  const length = view.getUint32(8, true);
  if (length > bytes.length - 12) throw new SnapshotError('windowed key state is truncated');
  return { pipeline: bytes.subarray(12, 12 + length), windows: bytes.subarray(12 + length) };
}

const KEY_MAGIC = 0x4b505344; // "DSPK" read as little-endian u32
const KEY_VERSION = 1;
