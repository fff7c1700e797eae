import type { KafkaHeader } from './types.ts';

/**
 * The records of a batch mostly carry the same headers (a content type, a schema name): one
 * decoded header list for a run of records whose raw headers are equal, instead of a list, an
 * object and a Buffer per header per record. Only for events whose records no user code sees
 * (ParseOptions.shareHeaders): a list, its headers and their bytes are shared by those records,
 * and so by the dead letters and propagated headers made of them. The bytes are never the event
 * slab's, so a dead letter may keep them.
 */
export class SharedHeaders {
  /** The raw headers the last list was decoded from: names and byte values as they arrived. */
  private names: string[] = [];
  private bytes: number[][] = [];
  private list: readonly KafkaHeader[] | undefined;

  /** The last list, when `raw` holds exactly what it was decoded from. */
  reuse(raw: readonly unknown[]): readonly KafkaHeader[] | undefined {
    const list = this.list;
    if (list === undefined || raw.length !== this.names.length) return undefined;
    for (let i = 0; i < raw.length; i++) {
      const name = this.names[i]!;
      if (onlyName(raw[i]) !== name) return undefined;
      const values: unknown = (raw[i] as Record<string, unknown>)[name];
      const expected = this.bytes[i]!;
      if (!Array.isArray(values) || values.length !== expected.length) return undefined;
      for (let j = 0; j < expected.length; j++) if (values[j] !== expected[j]) return undefined;
    }
    return list;
  }

  /**
   * Remembers `list`, decoded without a problem from `raw`, when every raw header is an object of
   * one name (so list[i] is raw[i]'s); other lists are not shared.
   */
  remember(raw: readonly unknown[], list: readonly KafkaHeader[]): void {
    this.list = undefined;
    if (list.length !== raw.length) return;
    const names: string[] = [];
    const bytes: number[][] = [];
    for (let i = 0; i < raw.length; i++) {
      const name = onlyName(raw[i]);
      if (name === undefined || name !== list[i]!.name) return;
      names.push(name);
      bytes.push([...((raw[i] as Record<string, readonly number[]>)[name]!)]);
    }
    this.names = names;
    this.bytes = bytes;
    this.list = list;
  }
}

/** The one own property name of a header object, or undefined (not an object, none, several). */
function onlyName(header: unknown): string | undefined {
  if (typeof header !== 'object' || header === null || Array.isArray(header)) return undefined;
  let found: string | undefined;
  for (const key in header) {
    if (!Object.prototype.hasOwnProperty.call(header, key)) continue;
    if (found !== undefined) return undefined;
    found = key;
  }
  return found;
}
