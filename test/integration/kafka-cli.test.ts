// The Kafka CLI commands as users run them: `dspfn consume` as a child process stopped with
// SIGTERM, `dspfn record` into a replay file and `dspfn replay --brokers` back onto topics.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { jsonLogger, MemorySink } from '../../core/adapters/index.ts';
import { main } from '../../core/cli/main.ts';
import { consume, readReplayFile, replay, type ConsumeStats, type ReplayRecord } from '../../core/local/index.ts';
import { handler as sensorRms } from '../../functions/sensor-rms/handler.ts';
import { createTopics, groupOffsets, produce, readings, readTopics, sourceOf, unique, waitFor, type Input } from './kafka-support.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const dir = mkdtempSync(join(tmpdir(), 'dspfn-kafka-cli-'));

async function allRecords(path: string): Promise<ReplayRecord[]> {
  const out: ReplayRecord[] = [];
  for await (const line of readReplayFile(path)) out.push(line.record);
  return out;
}

/** Runs the CLI in-process with its stderr kept for failure messages. */
async function cli(...args: string[]): Promise<{ code: number; stderr: string }> {
  const write = process.stderr.write.bind(process.stderr);
  let stderr = '';
  process.stderr.write = ((chunk: string | Uint8Array) => {
    stderr += chunk.toString();
    return true;
  }) as typeof process.stderr.write;
  try {
    return { code: await main(['node', 'dspfn', ...args]), stderr };
  } finally {
    process.stderr.write = write;
  }
}

describe('dspfn CLI with Kafka', () => {
  const brokers = inject('kafkaBrokers');
  const cleanup: Array<() => Promise<unknown>> = [];
  afterAll(async () => {
    for (const step of cleanup) await step().catch(() => {});
    rmSync(dir, { recursive: true, force: true });
  });

  it('consume stops on SIGTERM after finishing and committing its batch: nothing lost, nothing repeated', async () => {
    const src = unique('cli-sigterm');
    const groupId = unique('g');
    await createTopics(brokers, { [src]: 3 });
    // Input keeps arriving while the consumer runs and when the signal comes.
    let producing = true;
    let produced = 0;
    const feeder = (async () => {
      for (let round = 0; producing || round < 2; round++) {
        const batch: Input[] = readings(12, 5);
        await produce(brokers, src, batch);
        produced += batch.length;
        await new Promise((r) => setTimeout(r, 40));
      }
    })();

    const child = spawn(
      process.execPath,
      ['bin/dspfn.js', 'consume', 'sensor-rms', '--brokers', brokers, '--topic', src, '--group', groupId, '--from-beginning', '--batch-size', '20', '--batch-window', '20', '--no-progress', '--json', '--report', join(dir, 'consume.html')],
      { cwd: ROOT, env: { ...process.env, DSPFN_LOG_LEVEL: 'warn' }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    cleanup.push(async () => child.kill('SIGKILL'));
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));

    await waitFor(async () => (await groupOffsets(brokers, groupId, src)).some((o) => o > 100), 30_000, `the CLI committing (stderr: ${stderr})`);
    child.kill('SIGTERM');
    const code = await exited;
    producing = false;
    await feeder;
    expect(code, stderr).toBe(0);
    expect(stderr).toContain('SIGTERM: finishing the batches in flight');
    const stats = JSON.parse(stdout) as ConsumeStats;
    const committedBySigterm = await groupOffsets(brokers, groupId, src);
    expect(committedBySigterm).toEqual([0, 1, 2].map((p) => stats.committed[`${src}-${p}`] ?? -1));
    expect(stats.consumed).toBe(committedBySigterm.reduce((a, b) => a + Math.max(0, b), 0));
    // consume --report: the HTML report of what this consumer processed.
    const html = readFileSync(join(dir, 'consume.html'), 'utf8');
    const report = JSON.parse(/<script id="dspfn-data" type="application\/json">(.*?)<\/script>/s.exec(html)![1]!) as { summary: string[][]; keys: Array<{ inputFrames: number }> };
    expect(report.summary).toContainEqual(['group', groupId]);
    // The run summary has the invocations' durations.
    expect(report.summary.map(([label]) => label)).toEqual(expect.arrayContaining(['handler p50', 'handler p99']));
    expect(stats.handlerP99Ms).toBeGreaterThan(0);
    expect(stats.handlerP99Ms).toBeGreaterThan(0);
    expect(report.keys.length).toBeGreaterThan(0);
    expect(report.keys.every((k) => k.inputFrames > 0)).toBe(true);

    // A new consumer of the group takes over exactly where the stopped one committed.
    const rest = await consume({ handler: sensorRms, brokers, topic: src, groupId, batchWindowMs: 20, logger: jsonLogger({}, 'silent'), logLevel: 'silent' });
    cleanup.push(() => rest.stop());
    await waitFor(async () => (await groupOffsets(brokers, groupId, src)).reduce((a, b) => a + b, 0) === produced, 30_000, 'the rest consumed');
    const restStats = await rest.stop();
    expect(restStats.consumed).toBeGreaterThan(0);
    expect(stats.consumed + restStats.consumed).toBe(produced);

    const results = await readTopics(brokers, ['sensor-rms'], produced, { filter: (m) => m.headers['dspfn-source-topic'] === src, settleMs: 300 });
    expect(results).toHaveLength(produced);
    expect(new Set(results.map(sourceOf)).size).toBe(produced);
  }, 90_000);

  it('records a topic into a replay file that replays exactly like the original, and replay --brokers writes to topics', async () => {
    const topic = unique('cli-record');
    await createTopics(brokers, { [topic]: 3 });
    const original = await allRecords(join(ROOT, 'functions/sensor-rms/events.ndjson'));
    // Binary header bytes (signed in the Lambda shape) must survive the round trip too.
    // Kafka timestamps are whole milliseconds; the bundled file has fractional ones.
    const withHeaders = original.map((r, i) => ({
      ...r,
      timestamp: Math.floor(r.timestamp),
      ...(i % 50 === 0 ? { headers: [{ 'x-bin': [-1, 0, -128, 127] }, { traceparent: [...Buffer.from(`tp-${i}`)] }] } : {}),
    }));
    await produce(
      brokers,
      topic,
      withHeaders.map((r) => ({
        key: r.key ? Buffer.from(r.key, 'base64').toString() : null,
        value: Buffer.from(r.value ?? '', 'base64'),
        partition: r.partition,
        timestamp: r.timestamp,
        headers: Object.fromEntries(r.headers.flatMap((h) => Object.entries(h).map(([name, bytes]) => [name, Buffer.from(bytes)]))),
      })),
    );

    const file = join(dir, 'recorded.ndjson');
    const recorded = await cli('record', '--brokers', brokers, '--topic', topic, '--out', file, '--from-beginning', '--idle-ms', '1500');
    expect(recorded.code, recorded.stderr).toBe(0);
    expect(recorded.stderr).toContain(`recorded 300 records`);
    const lines = await allRecords(file);
    expect(lines).toHaveLength(300);
    const sorted = [...lines].sort((a, b) => a.partition - b.partition || a.offset - b.offset);
    const expected = withHeaders.map((r) => ({ ...r, topic })).sort((a, b) => a.partition - b.partition || a.offset - b.offset);
    const diff = sorted.findIndex((r, i) => !isDeepStrictEqual(r, expected[i]));
    expect(diff, `first difference at ${JSON.stringify(sorted[diff])?.slice(0, 300)} vs ${JSON.stringify(expected[diff])?.slice(0, 300)}`).toBe(-1);
    // Per-partition order is kept in the file itself.
    for (const p of [0, 1, 2]) {
      const offsets = lines.filter((l) => l.partition === p).map((l) => l.offset);
      expect(offsets).toEqual([...offsets].sort((a, b) => a - b));
    }
    expect(readFileSync(file, 'utf8').split('\n')[0]).toMatch(/^\{"topic":".+","partition":\d,"offset":\d+,"timestamp":\d+,"timestampType":"CREATE_TIME","value":".*","headers":\[.*\],"key":".+"\}$/);

    // Replaying the recording gives what replaying the original gives.
    const outputsOf = async (events: string) => {
      const sink = new MemorySink();
      await replay({ handler: sensorRms, events, sink, logLevel: 'silent' });
      return new Map(sink.ofKind('result').map((m) => [`${m.headers['dspfn-source-partition']}@${m.headers['dspfn-source-offset']}`, String(m.value)]));
    };
    const fromOriginal = await outputsOf(join(ROOT, 'functions/sensor-rms/events.ndjson'));
    expect(fromOriginal.size).toBe(299);
    expect(await outputsOf(file)).toEqual(fromOriginal);

    // replay --brokers: the same results on the real topics.
    const replayed = await cli('replay', 'sensor-rms', '--events', file, '--brokers', brokers, '--no-progress', '--log-level', 'silent');
    expect(replayed.code, replayed.stderr).toBe(0);
    expect(replayed.stderr).toContain(`output                     kafka ${brokers}`);
    const onTopic = await readTopics(brokers, ['sensor-rms'], 299, { filter: (m) => m.headers['dspfn-source-topic'] === topic, settleMs: 300 });
    expect(new Map(onTopic.map((m) => [sourceOf(m), m.value.toString()]))).toEqual(fromOriginal);
    expect(onTopic).toHaveLength(299);
    const letters = await readTopics(brokers, [`${topic}.dlq`], 1, { settleMs: 200 });
    expect(letters.map((m) => m.headers['dspfn-error-code'])).toEqual(['DSPFN_DECODE']);
  }, 60_000);
});
