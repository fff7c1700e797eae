import { describe, expect, it } from 'vitest';
import { RESULT_HEADER_NAMES_LENGTH, ResultHeaders, resultHeaderValuesLength } from './result-headers.ts';
import { Header } from '../sink/sink.ts';

describe('ResultHeaders', () => {
  const headers = new ResultHeaders('application/json', 'readings', '3', '1234', 'sensor-rms');

  it("reads as the literal it replaces: Header's names in the literal's order, the same values, the same JSON", () => {
    const literal = { [Header.contentType]: 'application/json', [Header.sourceTopic]: 'readings', [Header.sourcePartition]: '3', [Header.sourceOffset]: '1234', [Header.function]: 'sensor-rms' };
    expect(Object.entries(headers)).toEqual(Object.entries(literal));
    const names: string[] = [];
    for (const name in headers) names.push(name);
    expect(names).toEqual(Object.keys(literal));
    expect(JSON.stringify(headers)).toBe(JSON.stringify(literal));
    expect({ ...headers }).toEqual(literal);
    expect(structuredClone(headers)).toEqual(literal);
  });

  it('counts the lengths of its names and values as a walk over them does', () => {
    let walked = 0;
    for (const name in headers) walked += name.length + headers[name]!.length;
    expect(RESULT_HEADER_NAMES_LENGTH + resultHeaderValuesLength(headers)).toBe(walked);
  });
});
