import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { jsBackend, type DspBackend } from '../../core/adapters/index.ts';
import { isNativeAvailable, nativeBackend } from '../../core/dsp/native/loader.ts';
import { benchHandler } from './handler-bench.ts';
import { benchJson } from './json-bench.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));

/** Each bench that starts servers or loads native code runs in its own process, measured alone. */
function section(title: string, script: string, node: string = process.execPath): boolean {
  console.log(`\n${title}`);
  const run = spawnSync(node, ['--import', 'tsx', script], { cwd: root, stdio: 'inherit' });
  if (run.status !== 0) console.log(`  (failed with exit code ${run.status}; see above)`);
  return run.status === 0;
}

/**
 * Node 22 (the Lambda nodejs22.x runtime's major, where KafkaSink uses @platformatic/kafka), fetched
 * once like the Node 22 tests do; undefined when it cannot be had (offline).
 */
function node22(): string | undefined {
  if (process.versions.node.startsWith('22.')) return undefined;
  const target = process.arch === 'arm64' ? 'linux-arm64' : 'linux-x64';
  const fetched = spawnSync('bash', ['layers/dsp/fetch-node.sh', target, '22'], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  return fetched.status === 0 ? fetched.stdout.trim() : undefined;
}

/**
 * `npm run bench`: every number and ratio is measured in this run on this machine, never assumed.
 * Times on a shared 2-core machine vary between runs; compare ratios from the same run.
 */
async function main(): Promise<void> {
  console.log(`dspfn bench — node ${process.version}, ${process.arch}`);
  console.log('\nJSON sample arrays: byte-level reader and shortest-float32 writer vs the runtime');
  console.log(benchJson());

  const backends: DspBackend[] = [jsBackend];
  if (isNativeAvailable()) backends.push(nativeBackend());
  else console.log('\n(native module not built: run `npm run build:layer` for the native rows)');
  console.log('\nWhole handler (decode → DSP → encode → in-process sink → memory state)');
  console.log(await benchHandler(backends));

  const results = [
    section('Stages (from the catalogue): native SIMD vs native scalar vs TypeScript vs a plain JavaScript loop', 'test/bench/stages-bench.ts'),
    section('FFT 1,024: dspfn native vs fft.js vs the TypeScript reference', 'test/bench/fft-bench.ts'),
    section('Windowed statistics on a long stream with a large DC offset: error against float64', 'test/bench/windowed-stats-bench.ts'),
    section('Pipelines through the native layer', 'layers/dsp/bench.ts'),
    section('State stores: load + commit per batch', 'test/bench/state-bench.ts'),
    section("A Fetch response's records → KafkaRecords: dspfn's fetch decoder vs kafkajs's", 'test/bench/fetch-bench.ts'),
    section('dspfn consume against a local Kafka broker', 'test/bench/kafka-bench.ts'),
  ];
  const other = node22();
  if (other) results.push(section('dspfn consume against a local Kafka broker, on Node 22 (@platformatic/kafka producer)', 'test/bench/kafka-bench.ts', other));
  // KafkaSink alone, on the Node where it uses @platformatic/kafka when there is one: beside the bare client's producer.
  results.push(section('KafkaSink.send of 1,000 consume-shaped results (acks=all, idempotent), on Node 22 beside the bare @platformatic/kafka producer', 'test/bench/sink-bench.ts', other));
  results.push(
    section('Cold start of the bundled functions', 'test/bench/cold-start-bench.ts'),
  );
  if (results.includes(false)) process.exitCode = 1;
}

await main();
