import { Option, type Command } from 'commander';
import { integer } from './option-parsers.ts';
import { readEnv } from '../env/read-env.ts';
import { stateStoreFromEnv } from '../state/from-url.ts';
import type { LogLevel } from '../logger/logger.ts';
import { COMPRESSIONS, type Compression } from '../kafka/compression.ts';
import { connectionFromConfig, type KafkaEnv } from '../kafka/connection.ts';
import { kafkaSink, type KafkaSink } from '../sink/kafka.ts';
import { consume } from '../local/consume.ts';
import { MAX_THREADS } from '../local/limits.ts';
import { record } from '../local/record.ts';
import { loadFunction } from './load-function.ts';
import { statusLine } from './progress.ts';
import { consumeSummaryRows, formatConsumeSummary } from './render.ts';
import { reportCollector, withReportOptions, writeReport } from './report-file.ts';

const LOG_LEVELS = ['debug', 'info', 'warn', 'error', 'silent'];
const BROKERS_HELP = 'Kafka brokers host:port,… (default: DSPFN_KAFKA_BROKERS or DSPFN_MSK_CLUSTER_ARN; auth from DSPFN_KAFKA_* variables)';

/** The first signal stops gracefully; a second one exits at once. */
function onStopSignals(stop: () => void): () => void {
  let signalled = false;
  const handler = (signal: NodeJS.Signals) => {
    if (signalled) {
      process.stderr.write(`\ndspfn: ${signal} again, exiting without finishing\n`);
      process.exit(130);
    }
    signalled = true;
    process.stderr.write(`\ndspfn: ${signal}: finishing the batches in flight, committing, disconnecting (again to force)\n`);
    stop();
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return () => {
    process.off('SIGINT', handler);
    process.off('SIGTERM', handler);
  };
}

export function registerConsumeCommand(cli: Command): void {
  withReportOptions(cli
    .command('consume')
    .description('consume topics with a consumer group and invoke a function like the Lambda Kafka event source mapping; outputs go to real topics')
    .argument('<function>', 'folder under functions/ (e.g. sensor-rms), a folder path, or a module path')
    .requiredOption('-t, --topic <topics>', 'source topic(s), comma-separated')
    .option('--brokers <list>', BROKERS_HELP)
    .option('-g, --group <id>', 'consumer group id (default: dspfn-<function name>); an existing group resumes from its committed offsets')
    .option('-b, --batch-size <n>', 'records per batch (event source default 100, at most 10000)', integer(1, 10_000), 100)
    .option('-w, --batch-window <ms>', 'batching window (event source default for Kafka: 500 ms)', integer(0, 300_000), 500)
    .option('--from-beginning', 'a new group starts at the earliest offset (TRIM_HORIZON) instead of the end (LATEST)')
    .option('--max-retries <n>', 'retries of a failed batch; -1 retries forever (10 with --on-failure)', integer(-1, 10_000), -1)
    .option('--on-failure <destination>', 'kafka://<topic> for records whose retries are spent')
    .addOption(new Option('--event-shape <shape>', 'event shape delivered').choices(['msk', 'self-managed']).default('msk'))
    .option('--state <name>', 'state store, as DSPFN_STATE (default: memory)')
    .addOption(new Option('--compression <codec>', 'record batch compression of the outputs (default: DSPFN_KAFKA_COMPRESSION, else none); zstd needs Node.js >= 22.15').choices([...COMPRESSIONS]))
    .option('--threads <n>', 'worker threads the invocations run on, each partition pinned to one (fetching, commits and state stay on the main thread)', integer(1, MAX_THREADS), 1)
    .option('--session-timeout <ms>', 'how long the group waits for a consumer that stopped answering before handing its partitions on', integer(6_000, 300_000), 30_000)
    .addOption(new Option('--log-level <level>', 'function logs on stderr').choices(LOG_LEVELS).default('warn'))
    .option('--no-progress', 'no status line')
    .option('--json', 'print the final stats as JSON on stdout'))
    .action(async (fn: string, opts) => {
      const env = readEnv();
      const { handler, path } = await loadFunction(fn);
      const state = stateStoreFromEnv(env, opts.state);
      const status = statusLine(opts.progress);
      const report = reportCollector(opts, handler.dspfn.definition);
      try {
        const controller = await consume({
          ...(report ? { report } : {}),
          handler,
          topic: opts.topic,
          brokers: opts.brokers,
          groupId: opts.group,
          batchSize: opts.batchSize,
          batchWindowMs: opts.batchWindow,
          fromBeginning: opts.fromBeginning ?? false,
          maxRetries: opts.maxRetries,
          onFailure: opts.onFailure,
          shape: opts.eventShape,
          state,
          ...(opts.compression ? { compression: opts.compression as Compression } : {}),
          sessionTimeoutMs: opts.sessionTimeout,
          threads: opts.threads,
          functionModule: path,
          logLevel: opts.logLevel as LogLevel,
          env,
          onStats: (stats) => status.update(stats),
        });
        const release = onStopSignals(() => void controller.stop());
        process.stderr.write(`dspfn: consuming ${opts.topic} as group ${controller.groupId} (Ctrl-C to stop)\n`);
        try {
          const stats = await controller.done.finally(() => status.stop());
          if (report) writeReport(opts.report, report, `dspfn consume ${handler.dspfn.definition.name} (${opts.topic})`, consumeSummaryRows(stats));
          if (opts.json) process.stdout.write(JSON.stringify(stats) + '\n');
          process.stderr.write(`\nconsume summary\n${formatConsumeSummary(stats)}\n`);
        } finally {
          release();
        }
      } finally {
        await state.close();
      }
    });
}

export function registerRecordCommand(cli: Command): void {
  cli
    .command('record')
    .description('capture topics into a replay file (Lambda record shape) for dspfn replay')
    .requiredOption('-t, --topic <topics>', 'topic(s) to record, comma-separated')
    .requiredOption('-o, --out <file>', 'replay file to write (NDJSON)')
    .option('--brokers <list>', BROKERS_HELP)
    .option('--from-beginning', 'start at the earliest offset (default: only records produced from now on)')
    .option('-n, --max-records <n>', 'stop after this many records', integer(1, Number.MAX_SAFE_INTEGER))
    .option('--idle-ms <ms>', 'stop once no record arrived for this long', integer(1, 86_400_000))
    .option('-g, --group <id>', 'consumer group (default: a throwaway group, deleted afterwards; nothing is committed)')
    .action(async (opts) => {
      const abort = new AbortController();
      const release = onStopSignals(() => abort.abort());
      try {
        const summary = await record({
          topic: opts.topic,
          out: opts.out,
          brokers: opts.brokers,
          fromBeginning: opts.fromBeginning ?? false,
          maxRecords: opts.maxRecords,
          idleMs: opts.idleMs,
          groupId: opts.group,
          signal: abort.signal,
        });
        const ranges = Object.entries(summary.partitions)
          .map(([id, r]) => `${id}@${r.first}..${r.last}`)
          .join(', ');
        process.stderr.write(`recorded ${summary.records} records (${summary.bytes} bytes) to ${summary.out}${ranges ? `: ${ranges}` : ''}\n`);
      } finally {
        release();
      }
    });
}

/** `replay --brokers`: outputs to real topics instead of a file. */
export function replayKafkaSink(env: KafkaEnv, brokers: string | undefined): KafkaSink | undefined {
  return brokers ? kafkaSink(connectionFromConfig(env, { brokers })) : undefined;
}
