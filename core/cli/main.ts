import { createWriteStream, mkdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { Command, Option } from 'commander';
import { integer } from './option-parsers.ts';
import { MAX_BATCH_SIZE, MAX_BATCH_WINDOW_MS } from '../local/limits.ts';
import { describeError, DspfnError, ReplayFailedError } from '../errors.ts';
import { registerConsumeCommand, registerRecordCommand, replayKafkaSink } from './kafka-commands.ts';
import { registerProjectCommands } from './project-commands.ts';
import { registerScaffoldCommands } from './scaffold-commands.ts';
import { registerStateCommands } from './state-commands.ts';
import { stateStoreFromEnv } from '../state/from-url.ts';
import { readEnv } from '../env/read-env.ts';
import { loadFunction } from './load-function.ts';
import { encodeInputs, parseHeaders, readValues, schemaEncoding, synthInputs, toReplayRecords, valuesToInputs } from '../local/make-events.ts';
import type { ReplayRecord } from '../local/replay-file.ts';
import { replay, type ReplaySummary } from '../local/replay.ts';
import { NdjsonSink } from '../sink/ndjson.ts';
import { replayProgress } from './progress.ts';
import { formatSummary, replaySummaryRows } from './render.ts';
import { reportCollector, withReportOptions, writeReport } from './report-file.ts';

async function writeRecords(records: readonly ReplayRecord[], out: string | undefined): Promise<void> {
  const text = records.map((r) => JSON.stringify(r)).join('\n') + '\n';
  if (!out) {
    process.stdout.write(text);
    return;
  }
  mkdirSync(dirname(out), { recursive: true });
  const stream = createWriteStream(out);
  await new Promise<void>((resolve, reject) => {
    stream.on('error', reject);
    stream.end(text, () => resolve());
  });
  process.stderr.write(`wrote ${records.length} records to ${out}\n`);
}

/** dspfn's package.json is two folders up from core/cli/ and from dist/cli/ alike. */
function version(): string {
  return (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
}

export function program(): Command {
  const cli = new Command('dspfn')
    .description('Serverless DSP event functions for Kafka: create, replay, test locally, bundle and deploy')
    .version(version(), '-v, --version')
    .showHelpAfterError()
    .configureOutput({ outputError: (text, write) => write(text) });

  registerScaffoldCommands(cli);

  withReportOptions(cli
    .command('replay')
    .description('replay a recorded NDJSON file of Kafka records through a function, batched like the Lambda event source')
    .argument('<function>', 'folder under functions/ (e.g. sensor-rms), a folder path, or a module path')
    .requiredOption('-e, --events <file>', 'replay file: one Kafka record per line in the Lambda record shape')
    .option('-o, --out <file>', 'write every produced message as one JSON line here (default: stdout)')
    .option('--brokers <list>', 'produce the outputs to these Kafka brokers (host:port,…; auth from DSPFN_KAFKA_*) instead of --out')
    .option('-b, --batch-size <n>', 'records per batch (event source default 100, at most 10000)', integer(1, MAX_BATCH_SIZE), 100)
    .option('-w, --batch-window <ms>', "batching window on the records' timestamps: a record this long after a batch's first starts the next (0..300000; default: none, batches fill up as from a backlog)", integer(0, MAX_BATCH_WINDOW_MS))
    .option('-r, --retries <n>', 'retries of a failed batch before the replay stops', integer(0, 1000), 2)
    .option('--state <store>', 'state store, as DSPFN_STATE: memory, redis://…, rediss://…, upstash, upstash+https://… (default: DSPFN_STATE, else memory)')
    .addOption(new Option('--event-shape <shape>', 'event shape to deliver').choices(['msk', 'self-managed']).default('msk'))
    .addOption(new Option('--log-level <level>', 'function log level (logs go to stderr)').choices(['debug', 'info', 'warn', 'error', 'silent']).default('warn'))
    .option('--no-progress', 'no progress bar')
    .option('--json', 'print the summary as JSON on stdout (with --out)'))
    .action(async (fn: string, opts) => {
      const env = readEnv();
      const { handler } = await loadFunction(fn);
      const sink = replayKafkaSink(env, opts.brokers);
      const state = stateStoreFromEnv(env, opts.state);
      const progress = replayProgress(opts.progress);
      const report = reportCollector(opts, handler.dspfn.definition);
      const output = opts.out ?? (sink ? `kafka ${opts.brokers}` : undefined);
      const title = `dspfn replay ${handler.dspfn.definition.name} (${opts.events})`;
      const summary = await replay({
        ...(report ? { report } : {}),
        state,
        handler,
        events: opts.events,
        ...(sink ? { sink, bootstrapServers: opts.brokers } : opts.out ? { out: opts.out } : { sink: new NdjsonSink(process.stdout) }),
        batchSize: opts.batchSize,
        batchWindowMs: opts.batchWindow,
        retries: opts.retries,
        shape: opts.eventShape,
        logLevel: opts.logLevel,
        onProgress: (p) => progress.update(p),
      })
        .catch((error: unknown) => {
          // A replay that stopped still gets its report, with the summary so far.
          if (report && error instanceof ReplayFailedError) writeReport(opts.report, report, title, replaySummaryRows(error.summary as ReplaySummary, output));
          throw error;
        })
        .finally(() => {
          progress.stop();
          return Promise.all([sink?.close(), state.close()]);
        });
      if (report) writeReport(opts.report, report, title, replaySummaryRows(summary, output));
      if (opts.json && output) process.stdout.write(JSON.stringify(summary) + '\n');
      else process.stderr.write(`\nreplay summary\n${formatSummary(summary, output)}\n`);
    });

  registerConsumeCommand(cli);
  registerRecordCommand(cli);
  registerProjectCommands(cli);
  registerStateCommands(cli);

  const events = cli.command('events').description('make replay files');
  events
    .command('from-values')
    .description('turn plain JSON values (a JSON array or NDJSON) into replay records, partitioned by key like Kafka')
    .argument('<file>', 'JSON array or NDJSON of values')
    .requiredOption('-t, --topic <topic>', 'topic name')
    .option('-k, --key-field <field>', 'value field used as the record key (e.g. deviceId)')
    .option('--timestamp-field <field>', 'value field (ISO-8601 or epoch ms) used as the record timestamp')
    .option('-H, --header <name=value>', 'header on every record (repeatable)', (pair: string, all: string[]) => [...all, pair], [] as string[])
    .option('--protobuf <file>', 'encode each value as this .proto schema\'s --type message')
    .option('--type <name>', 'fully qualified protobuf message name (e.g. telemetry.TelemetryFrame)')
    .option('--avro <file>', 'encode each value with this Avro schema (.avsc)')
    .addOption(new Option('--framing <framing>', 'schema-registry framing of encoded values').choices(['none', 'confluent', 'glue', 'glue-zlib']).default('none'))
    .option('--schema-id <id>', 'schema id in the framing: an integer (Confluent, default 1) or a UUID (AWS Glue)')
    .option('-p, --partitions <n>', 'partitions to spread keys over (murmur2, like Kafka)', integer(1, 10_000), 1)
    .option('-o, --out <file>', 'output file (default: stdout)')
    .action(async (file: string, opts) => {
      const encoding = schemaEncoding(opts);
      let inputs = valuesToInputs(readValues(file), { keyField: opts.keyField, timestampField: opts.timestampField, headers: parseHeaders(opts.header) });
      if (encoding) inputs = await encodeInputs(inputs, encoding.codec, encoding.framing);
      await writeRecords(toReplayRecords(inputs, { topic: opts.topic, partitions: opts.partitions }), opts.out);
    });
  events
    .command('synth')
    .description('generate synthetic device streams (sine sensors, or reference noise + noisy signal)')
    .addOption(new Option('--kind <kind>', 'signal kind').choices(['sensor', 'noise']).default('sensor'))
    .option('-t, --topic <topic>', 'topic name', 'sensors')
    .option('-d, --devices <n>', 'devices (keys)', integer(1, 1_000_000), 4)
    .option('-r, --records <n>', 'records per device', integer(1, 10_000_000), 25)
    .option('-s, --samples <n>', 'samples per record (frames for --kind noise)', integer(1, 1_000_000), 64)
    .option('--sample-rate <hz>', 'samples per second', integer(1, 10_000_000), 1000)
    .option('-p, --partitions <n>', 'partitions', integer(1, 10_000), 3)
    .addOption(new Option('--format <format>', 'value encoding').choices(['json', 'f32le']).default('json'))
    .option('--malformed <n>', 'records with a malformed payload, to exercise dead letters', integer(0, 1_000_000), 0)
    .option('--seed <n>', 'random seed', integer(0, 2 ** 31), 1)
    .option('-o, --out <file>', 'output file (default: stdout)')
    .action(async (opts) => {
      const inputs = synthInputs({
        kind: opts.kind,
        devices: opts.devices,
        records: opts.records,
        samples: opts.samples,
        sampleRate: opts.sampleRate,
        seed: opts.seed,
        format: opts.format,
        malformed: opts.malformed,
      });
      await writeRecords(toReplayRecords(inputs, { topic: opts.topic, partitions: opts.partitions, intervalMs: 1000 / opts.sampleRate * opts.samples / opts.devices }), opts.out);
    });
  return cli;
}

/** Runs the CLI; returns the exit code (errors are printed, never thrown). */
export async function main(argv: readonly string[]): Promise<number> {
  try {
    await program().parseAsync([...argv]);
    return 0;
  } catch (error) {
    if (error instanceof ReplayFailedError) {
      process.stderr.write(`\ndspfn: ${error.message}\n\nreplay stopped; summary so far\n${formatSummary(error.summary as ReplaySummary)}\n`);
      return 1;
    }
    const code = error instanceof DspfnError ? ` [${error.code}]` : '';
    process.stderr.write(`dspfn: ${describeError(error)}${code}\n`);
    if (debugging()) process.stderr.write(`${(error as Error).stack ?? ''}\n`);
    return 1;
  }
}

/** DSPFN_DEBUG; an invalid value there must not hide the error being reported. */
function debugging(): boolean {
  try {
    return readEnv(process.env, ['DSPFN_DEBUG']).DSPFN_DEBUG === true;
  } catch {
    return false;
  }
}
