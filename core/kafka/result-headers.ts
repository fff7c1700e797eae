/**
 * The headers of a JSON result with nothing added (no propagated headers, no result index): the
 * same five own properties, in the same order, as the literal they replace, so every reader (for…in,
 * Object.entries, JSON, the NDJSON and memory sinks) sees the same record. Being of this class tells
 * the Kafka encoder their layout without walking them: the first three and the fourth's name are the
 * same for a batch's records and go out as one cached run of bytes (record-batch.ts), and sizeOf
 * adds five lengths instead of walking five properties. Nothing adds a header to a message once it
 * is built (OutputMessage.headers is read-only); a message that needs more headers is given a literal.
 */
export class ResultHeaders {
  declare readonly 'content-type': string;
  declare readonly 'dspfn-source-topic': string;
  declare readonly 'dspfn-source-partition': string;
  declare readonly 'dspfn-source-offset': string;
  declare readonly 'dspfn-function': string;
  [name: string]: string;

  constructor(contentType: string, sourceTopic: string, sourcePartition: string, sourceOffset: string, functionName: string) {
    // Assigned, not declared with initializers, so the properties are made in this order.
    const self = this as Record<string, string>;
    self['content-type'] = contentType;
    self['dspfn-source-topic'] = sourceTopic;
    self['dspfn-source-partition'] = sourcePartition;
    self['dspfn-source-offset'] = sourceOffset;
    self['dspfn-function'] = functionName;
  }
}

/** The header names' lengths summed (sizeOf of a message counts names and values). */
export const RESULT_HEADER_NAMES_LENGTH = 'content-type'.length + 'dspfn-source-topic'.length + 'dspfn-source-partition'.length + 'dspfn-source-offset'.length + 'dspfn-function'.length;

/** The sum of the values' lengths (UTF-16 units, as sizeOf counts strings). */
export function resultHeaderValuesLength(headers: ResultHeaders): number {
  return headers['content-type'].length + headers['dspfn-source-topic'].length + headers['dspfn-source-partition'].length + headers['dspfn-source-offset'].length + headers['dspfn-function'].length;
}
