import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../errors.ts';
import { ConsumeCounters } from '../local/consume-stats.ts';
import { Header, type OutputMessage } from '../sink/sink.ts';
import { consumeSummaryRows } from './render.ts';

const setAside = (code: string): OutputMessage => ({ kind: 'dead-letter', topic: 'x', key: null, value: null, headers: { [Header.errorCode]: code } });

describe('consumeSummaryRows', () => {
  it('counts dead letters by code and late records by reason, apart', () => {
    const counters = new ConsumeCounters('fn', 'group', ['in']);
    for (const code of [ErrorCode.Decode, ErrorCode.Decode, 'DSPFN_INVALID_SAMPLES', ErrorCode.Late, ErrorCode.Late]) {
      counters.produced['dead-letter']++;
      if (code === ErrorCode.Late) counters.late++;
      counters.setAside.note(setAside(code));
    }
    counters.setAside.onBatch({ lateByReason: { 'up to 10 s behind the watermark': 2 } } as never);
    const stats = counters.snapshot();
    expect([stats.deadLetters, stats.late]).toEqual([3, 2]);
    const rows = new Map(consumeSummaryRows(stats));
    expect(rows.get('dead letters')).toBe('3 (2 DSPFN_DECODE, 1 DSPFN_INVALID_SAMPLES)');
    expect(rows.get('late (to the late topic)')).toBe('2 (2 up to 10 s behind the watermark)');
    expect(rows.get('produced')).toBe('5 (0 results, 0 logs, 3 dead letters, 2 late, 0 on-failure)');
  });
});
