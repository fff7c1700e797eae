import { describe, expect, it } from 'vitest';
import { ReportCollector } from './collector.ts';
import { renderReport } from './html.ts';

describe('renderReport', () => {
  it('is one offline file: uPlot inline, nothing fetched, the data unable to end its script element', async () => {
    const collector = new ReportCollector({ stages: ['movingAverage'] });
    collector.input('k</script><script>alert(1)</script>', Float32Array.from([1, 2, 3]), 1, 1_000, 1_000);
    collector.output('k</script><script>alert(1)</script>', Float32Array.from([1, 1.5, 2]), 1, 3, 1_000, 1_000);
    const sink = collector.sink({ name: 'memory', send: async () => undefined, close: async () => undefined });
    await sink.send([
      {
        kind: 'dead-letter',
        topic: 't.dlq',
        key: null,
        value: null,
        headers: { 'dspfn-source-topic': 't', 'dspfn-source-partition': '0', 'dspfn-source-offset': '7', 'dspfn-error-code': 'DSPFN_DECODE', 'dspfn-error-reason': '<b>bad</b> & worse' },
      },
    ]);
    const html = renderReport(collector.data('run <1>', [['records', '3']]));
    expect(html).toContain('uPlot');
    expect(html).not.toMatch(/(src|href)=["']?(https?:)?\/\//);
    expect(html.match(/<\/script>/g)).toHaveLength(3);
    expect(html).not.toContain('<script>alert(1)');
    expect(html).toContain('&#60;b&#62;bad&#60;/b&#62; &#38; worse');
    expect(html).toContain('<title>run &#60;1&#62;</title>');
    const data = JSON.parse(/<script id="dspfn-data" type="application\/json">(.*?)<\/script>/s.exec(html)![1]!) as { keys: Array<{ key: string; data: number[][] }>; deadLettersByCode: unknown };
    expect(data.keys[0]!.key).toBe('k</script><script>alert(1)</script>');
    expect(data.keys[0]!.data).toEqual([[1_000, 1_001, 1_002], [1, 2, 3], [1, 1.5, 2]]);
    expect(data.deadLettersByCode).toEqual([['DSPFN_DECODE', 1]]);
  });

  it('charts the first keys only, and counts the others', () => {
    const collector = new ReportCollector({ stages: ['rms'], keys: 2 });
    for (const key of ['c', 'a', 'b']) collector.input(key, [1, 2], 1, 0, 1);
    const data = collector.data('t', []);
    expect(data.keys.map((k) => k.key)).toEqual(['a', 'c']);
    expect(data.keysSeen).toBe(3);
  });

  it('charts the first 50 keys by default', () => {
    const collector = new ReportCollector({ stages: [] });
    for (let k = 0; k < 60; k++) collector.input(`device-${k}`, [k], 1, 0, 1);
    const data = collector.data('t', []);
    expect(data.keys).toHaveLength(50);
    expect(data.keys.at(-1)!.key).toBe('device-49');
    expect(data.keysSeen).toBe(60);
    expect(renderReport(data)).toContain('The first 50 of 60 keys');
  });

  it('shows window results as bars of the first aggregate of mean, rms, sum, max…, and late records by reason, not as dead letters', async () => {
    const collector = new ReportCollector({ stages: [] });
    collector.input('k', [1, 3], 1, 0, 1_000);
    collector.window('k', 0, 60_000, [{ count: 2, max: 3, mean: 2 }]);
    collector.window('k', 60_000, 120_000, [{ count: 1, max: 5, mean: 5 }]);
    collector.onBatch({ late: 1, lateByReason: { 'up to 1 s behind the watermark': 1 } } as never);
    const sink = collector.sink({ name: 'none', send: async () => {}, close: async () => {} });
    await sink.send([
      { kind: 'dead-letter', topic: 'in.late', key: null, value: null, headers: { 'dspfn-error-code': 'DSPFN_LATE' } },
      { kind: 'dead-letter', topic: 'in.dlq', key: null, value: null, headers: { 'dspfn-error-code': 'DSPFN_DECODE' } },
    ]);
    const data = collector.data('t', []);
    expect(data.keys[0]!).toMatchObject({ series: ['input', 'window mean'], bars: { first: 2, ends: [60_000, null, 120_000, null] }, windows: 2 });
    // The time axis runs to the last window's end, so its bar is whole.
    expect(data.keys[0]!.data).toEqual([
      [0, 1, 60_000, 120_000],
      [1, 3, null, null],
      [2, null, 5, null],
    ]);
    expect([data.lateRecords, data.lateByReason, data.deadLettersTotal, data.deadLettersByCode]).toEqual([1, [['up to 1 s behind the watermark', 1]], 1, [['DSPFN_DECODE', 1]]]);
  });

  it('draws session windows of different lengths each over its own [start, end)', () => {
    const collector = new ReportCollector({ stages: [] });
    collector.input('k', [1, 2, 3], 1, 0, 1);
    collector.window('k', 0, 5_000, [{ count: 2, mean: 1.5 }]);
    collector.window('k', 20_000, 50_000, [{ count: 1, mean: 3 }]);
    collector.window('k', 90_000, 91_000, [{ count: 1, mean: 7 }]);
    const chart = collector.data('t', []).keys[0]!;
    expect(chart.series).toEqual(['input', 'window mean']);
    expect(chart.data).toEqual([
      [0, 1_000, 2_000, 20_000, 90_000, 91_000],
      [1, 2, 3, null, null, null],
      [1.5, null, null, 3, 7, null],
    ]);
    expect(chart.bars).toEqual({ first: 2, ends: [5_000, null, null, 50_000, 91_000, null] });
  });

  it('draws downsampled windows one bar per bucket, as wide as the bucket', () => {
    const collector = new ReportCollector({ stages: [], columns: 4 });
    collector.input('k', [1], 1, 0, 1);
    for (let w = 0; w < 16; w++) collector.window('k', w * 10_000, w * 10_000 + (w % 2 === 0 ? 3_000 : 9_000), [{ count: 1, mean: w }]);
    const { data, bars } = collector.data('t', []).keys[0]!;
    const starts = data[0].filter((_, i) => bars!.ends[i] !== null);
    const widths = data[0].flatMap((x, i) => (bars!.ends[i] === null ? [] : [bars!.ends[i]! - x]));
    expect(starts.length).toBeGreaterThan(0);
    expect(starts.length).toBeLessThanOrEqual(4);
    expect(new Set(widths).size).toBe(1);
    expect(Math.log2(widths[0]!) % 1).toBe(0);
    expect(starts[0]! + widths[0]! * starts.length).toBeGreaterThanOrEqual(150_000);
  });
});
