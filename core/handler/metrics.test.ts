import { afterEach, describe, expect, it, vi } from 'vitest';
import { pipeline } from '../dsp/pipeline.ts';
import { jsBackend } from '../dsp/backend.ts';
import { mskEvent } from '../events/build.ts';
import { MemorySink } from '../sink/memory.ts';
import { MemoryStateStore } from '../state/memory.ts';
import { lambdaContext } from '../testing/context.ts';
import { readings } from '../inputs/readings.ts';
import { testHarness } from '../testing/harness.ts';
import { defineFunction, type DspfnHandler } from './define-function.ts';
import type { FunctionDefinition } from './definition.ts';

function sensor(options: Pick<FunctionDefinition, 'metrics'> = {}) {
  return defineFunction({
    name: 'metered',
    pipeline: pipeline().movingAverage({ window: 2 }),
    output: { topic: 'out', value: ({ output }) => ({ y: Array.from(output) }) },
    ...options,
  });
}

const records = [
  { key: 'a', value: JSON.stringify([1, 2, 3]) },
  { key: 'b', value: JSON.stringify([4, 5]) },
  { key: 'a', value: 'not json' },
];

/** The EMF lines the handler writes to stdout while it runs one batch, as if on Lambda. */
async function emfLinesOf<M>(
  handler: DspfnHandler<M>,
  env: Record<string, string> = {},
  batch: Parameters<ReturnType<typeof testHarness>['invoke']>[0] = records,
): Promise<Array<Record<string, unknown>>> {
  vi.stubEnv('AWS_LAMBDA_FUNCTION_NAME', 'metered');
  for (const [name, value] of Object.entries(env)) vi.stubEnv(name, value);
  const lines: string[] = [];
  const write = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    lines.push(String(chunk));
    return true;
  });
  try {
    await testHarness(handler).invoke(batch);
  } finally {
    write.mockRestore();
  }
  return lines.filter((line) => line.includes('"_aws"')).map((line) => JSON.parse(line) as Record<string, unknown>);
}

afterEach(() => {
  vi.unstubAllEnvs();
  vi.restoreAllMocks();
});

describe('batch metrics in the handler', () => {
  it('writes one EMF line per batch on Lambda, with the batch numbers', async () => {
    const [line, ...more] = await emfLinesOf(sensor());
    expect(more).toHaveLength(0);
    expect(line).toMatchObject({ FunctionName: 'metered', Records: 3, Samples: 5, Results: 2, DeadLetters: 1, LateRecords: 0, Duplicates: 0, Conflicts: 0 });
    expect(line!.BatchDuration).toBeGreaterThan(0);
  });

  it('counts the late records of a windowed batch', async () => {
    const windowed = defineFunction({
      name: 'metered',
      input: readings({ key: 'key', timestamp: 'timestamp' }),
      pipeline: pipeline(),
      window: { type: 'tumbling', size: '1m' },
      aggregate: ['mean'],
      output: { topic: 'out', value: ({ window }) => ({ mean: window!.mean }) },
    });
    const at = (value: number, time: number, offset: number) => ({ key: 'k', offset, value: { key: 'k', value, timestamp: time } });
    // 61 s passes the first minute's end: the record at 1 s that follows it is late.
    const [line] = await emfLinesOf(windowed, {}, [at(1, 0, 0), at(2, 61_000, 1), at(3, 1_000, 2)]);
    expect(line).toMatchObject({ Records: 3, Results: 1, DeadLetters: 0, LateRecords: 1 });
  });

  it('writes none with metrics: false', async () => {
    expect(await emfLinesOf(sensor({ metrics: false }))).toEqual([]);
  });

  it('writes none with DSPFN_METRICS=off', async () => {
    expect(await emfLinesOf(sensor(), { DSPFN_METRICS: 'off' })).toEqual([]);
  });

  it('refuses a metrics option that is neither a flag nor a Powertools Metrics', () => {
    expect(() => sensor({ metrics: { addMetric: () => undefined } as never })).toThrow('expected true, false or a Powertools Metrics instance');
  });
});

describe('Powertools instances in the definition', () => {
  it('publishes the metrics through Metrics and logs through Logger', async () => {
    const added: Array<[string, string, number]> = [];
    const dimensions: Array<[string, string]> = [];
    let flushed = 0;
    const metrics = {
      addMetric: (name: string, unit: string, value: number) => void added.push([name, unit, value]),
      addDimension: (name: string, value: string) => void dimensions.push([name, value]),
      publishStoredMetrics: () => void flushed++,
    };
    const logged: Array<[string, string, Record<string, unknown>]> = [];
    const at = (level: string) => (message: string, fields: Record<string, unknown> = {}) => void logged.push([level, message, fields]);
    const logger = { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
    const handler = defineFunction({
      name: 'powered',
      pipeline: pipeline().movingAverage({ window: 2 }),
      output: { topic: 'out', value: ({ output }) => ({ y: Array.from(output) }) },
      metrics,
      logger,
    });
    const bound = handler.dspfn.withRuntime({ state: new MemoryStateStore(), sink: new MemorySink(), backend: jsBackend });
    await bound(mskEvent(records), lambdaContext({ functionName: 'powered' }));
    expect(flushed).toBe(1);
    expect(dimensions).toEqual([['FunctionName', 'powered']]);
    expect(added).toContainEqual(['Records', 'Count', 3]);
    expect(added).toContainEqual(['DeadLetters', 'Count', 1]);
    expect(added.map(([name]) => name)).toHaveLength(11);
    expect(logged.find(([level]) => level === 'warn')?.[2]).toMatchObject({ offset: 2 });
    expect(logged.find(([, message]) => message === 'batch processed')?.[2]).toMatchObject({ records: 3, functionName: 'powered' });
  });
});
