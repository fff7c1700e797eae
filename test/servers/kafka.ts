/**
 * A real single-node Kafka broker for tests, driven by test/servers/kafka/kafka.sh
 * (jars from Maven Central, run on the local JVM: no Docker).
 *
 * As a vitest globalSetup it starts one broker per run and hands its address
 * to tests through `inject('kafkaBrokers')` and DSPFN_TEST_KAFKA_BROKERS.
 * Setting DSPFN_TEST_KAFKA_BROKERS beforehand points the tests at an existing
 * broker instead (e.g. one left running with `kafka.sh start`).
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TestProject } from 'vitest/node';

export const KAFKA_BROKERS_ENV = 'DSPFN_TEST_KAFKA_BROKERS';

const SCRIPT = join(dirname(fileURLToPath(import.meta.url)), 'kafka', 'kafka.sh');

export interface KafkaServer {
  /** Bootstrap address, `127.0.0.1:PORT`. */
  brokers: string;
  /** Its run directory (config, data, logs): what haltKafka/restartKafka take. */
  dir: string;
  /** Stops the broker and deletes its temporary directory; safe to call twice. */
  stop(): Promise<void>;
}

/**
 * Fault tests: stops the broker's JVM (a controlled shutdown, as a rolling restart does) and keeps
 * its ports, data and owner watchdog, so restartKafka brings the same broker back.
 */
export async function haltKafka(dir: string): Promise<void> {
  await runScript(['halt', '--dir', dir], 60_000);
}

/** Starts a halted broker again on the same ports and data; resolves once it answers. */
export async function restartKafka(dir: string): Promise<void> {
  await runScript(['restart', '--dir', dir], 150_000);
}

function runScript(args: string[], timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      'bash',
      [SCRIPT, ...args],
      { timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024, env: process.env },
      (error, stdout, stderr) => {
        if (error) {
          // The script already puts the broker log tail on stderr; keep it in
          // the error so a failed globalSetup explains itself.
          reject(new Error(`kafka.sh ${args[0]} failed: ${error.message}\n${stderr}`));
          return;
        }
        resolve(stdout);
      },
    );
  });
}

/**
 * Starts a fresh single-node broker. A failed start is retried once in a new directory: the free
 * ports it picked can be taken by another process before the JVM binds them, and one bad start
 * must not fail a whole CI run.
 */
export async function startKafka(attempts = 2, startOnce: () => Promise<KafkaServer> = startKafkaOnce): Promise<KafkaServer> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnce();
    } catch (error) {
      if (attempt >= attempts) throw error;
      const reason = error instanceof Error ? error.message.split('\n')[0] : String(error);
      console.warn(`[kafka] start failed (attempt ${attempt} of ${attempts}), retrying in a new directory: ${reason}`);
    }
  }
}

async function startKafkaOnce(): Promise<KafkaServer> {
  const dir = await mkdtemp(join(tmpdir(), 'dspfn-kafka-'));
  let stdout: string;
  try {
    // Generous: a cold run also fetches the jars with Maven (the script's own
    // readiness timeout is 90 s).
    stdout = await runScript(['start', '--dir', dir, '--owner-pid', String(process.pid)], 240_000);
  } catch (error) {
    // A JVM that started but never became ready must not outlive the attempt.
    await runScript(['stop', '--dir', dir], 60_000).catch(() => {});
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
  const brokers = stdout.trim().split('\n').pop() ?? '';
  if (!/^127\.0\.0\.1:\d+$/.test(brokers)) {
    await runScript(['stop', '--dir', dir], 60_000).catch(() => {});
    await rm(dir, { recursive: true, force: true });
    throw new Error(`kafka.sh start printed no broker address: ${JSON.stringify(stdout)}`);
  }

  let stopping: Promise<void> | undefined;
  return {
    brokers,
    dir,
    stop() {
      stopping ??= (async () => {
        try {
          await runScript(['stop', '--dir', dir], 60_000);
        } finally {
          await rm(dir, { recursive: true, force: true });
        }
      })();
      return stopping;
    },
  };
}

export default async function setup(project: TestProject): Promise<(() => Promise<void>) | undefined> {
  const existing = process.env[KAFKA_BROKERS_ENV];
  if (existing) {
    project.provide('kafkaBrokers', existing);
    project.provide('kafkaDir', null);
    return undefined;
  }

  const server = await startKafka();
  process.env[KAFKA_BROKERS_ENV] = server.brokers;
  project.provide('kafkaBrokers', server.brokers);
  project.provide('kafkaDir', server.dir);
  return async () => {
    delete process.env[KAFKA_BROKERS_ENV];
    await server.stop();
  };
}
