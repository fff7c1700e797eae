/**
 * A real single-node Kafka broker for tests, driven by test/servers/kafka/kafka.sh
 * (jars from Maven Central, run on the local JVM: no Docker).
 *
 * As a vitest globalSetup it starts one broker per run and hands its address
 * to tests through `inject('kafkaBrokers')` and DSPFN_TEST_KAFKA_BROKERS. The same
 * broker also has a SASL_SSL listener (a SCRAM-SHA-512 user with a random password)
 * and an SSL listener that requires client certificates, with this run's throwaway
 * CA (test/servers/tls.ts): `inject('kafkaSecure')`.
 * Setting DSPFN_TEST_KAFKA_BROKERS beforehand points the tests at an existing
 * broker instead (e.g. one left running with `kafka.sh start`); its secure
 * listeners then come from DSPFN_TEST_KAFKA_SECURE (JSON of KafkaSecureListeners).
 */
import { execFile } from 'node:child_process';
import { pbkdf2Sync, randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TestProject } from 'vitest/node';
import { testCertificates } from './tls.ts';

export const KAFKA_BROKERS_ENV = 'DSPFN_TEST_KAFKA_BROKERS';
export const KAFKA_SECURE_ENV = 'DSPFN_TEST_KAFKA_SECURE';

/** The TLS listeners of a broker started with `secure`, and who may log in on them. */
export interface KafkaSecureListeners {
  /** SASL_SSL (SCRAM-SHA-256 and -512), `127.0.0.1:PORT`. */
  saslSsl: string;
  /** SSL with a client certificate required, `127.0.0.1:PORT`. */
  ssl: string;
  username: string;
  password: string;
  /** The run's certificates (test/servers/tls/certs.sh). */
  tlsDir: string;
}

export interface SecureOptions {
  tlsDir: string;
  users: ReadonlyArray<{ username: string; password: string }>;
}

const SCRIPT = join(dirname(fileURLToPath(import.meta.url)), 'kafka', 'kafka.sh');

export interface KafkaServer {
  /** Bootstrap address, `127.0.0.1:PORT`. */
  brokers: string;
  /** Its run directory (config, data, logs): what haltKafka/restartKafka take. */
  dir: string;
  /** With `secure`: the SASL_SSL and SSL listeners' addresses. */
  listeners?: { saslSsl: string; ssl: string };
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

/**
 * kafka-storage's --add-scram with the salted password rather than the password: the broker
 * stores only these, and no password ever appears on a command line.
 */
export function scramCredential(mechanism: 'SCRAM-SHA-256' | 'SCRAM-SHA-512', username: string, password: string): string {
  const salt = randomBytes(24);
  const iterations = 4096;
  const [digest, length] = mechanism === 'SCRAM-SHA-512' ? (['sha512', 64] as const) : (['sha256', 32] as const);
  const salted = pbkdf2Sync(password, salt, iterations, length, digest);
  return `${mechanism}=[name=${username},salt="${salt.toString('base64')}",saltedpassword="${salted.toString('base64')}",iterations=${iterations}]`;
}

export async function startKafkaOnce(secure?: SecureOptions): Promise<KafkaServer> {
  const dir = await mkdtemp(join(tmpdir(), 'dspfn-kafka-'));
  const args = ['start', '--dir', dir, '--owner-pid', String(process.pid)];
  if (secure) {
    args.push('--tls-dir', secure.tlsDir);
    for (const { username, password } of secure.users) {
      for (const mechanism of ['SCRAM-SHA-256', 'SCRAM-SHA-512'] as const) args.push('--add-scram', scramCredential(mechanism, username, password));
    }
  }
  let stdout: string;
  try {
    // Generous: a cold run also fetches the jars with Maven (the script's own
    // readiness timeout is 90 s).
    stdout = await runScript(args, 240_000);
  } catch (error) {
    // A JVM that started but never became ready must not outlive the attempt.
    await runScript(['stop', '--dir', dir], 60_000).catch(() => {});
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
  const lines = stdout.trim().split('\n');
  const brokers = lines.pop() ?? '';
  const listener = (name: string) => lines.find((l) => l.startsWith(`${name}=`))?.slice(name.length + 1);
  const saslSsl = listener('sasl_ssl');
  const ssl = listener('ssl');
  if (!/^127\.0\.0\.1:\d+$/.test(brokers)) {
    await runScript(['stop', '--dir', dir], 60_000).catch(() => {});
    await rm(dir, { recursive: true, force: true });
    throw new Error(`kafka.sh start printed no broker address: ${JSON.stringify(stdout)}`);
  }

  if (secure && (!saslSsl || !ssl)) {
    await runScript(['stop', '--dir', dir], 60_000).catch(() => {});
    await rm(dir, { recursive: true, force: true });
    throw new Error(`kafka.sh start printed no TLS listeners: ${JSON.stringify(stdout)}`);
  }

  let stopping: Promise<void> | undefined;
  return {
    brokers,
    dir,
    ...(saslSsl && ssl ? { listeners: { saslSsl, ssl } } : {}),
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
    const secure = process.env[KAFKA_SECURE_ENV];
    project.provide('kafkaSecure', secure ? (JSON.parse(secure) as KafkaSecureListeners) : null);
    return undefined;
  }

  const certificates = await testCertificates();
  const user = { username: 'dspfn-svc', password: randomBytes(18).toString('base64url') };
  const server = await startKafka(2, () => startKafkaOnce({ tlsDir: certificates.dir, users: [user] }));
  process.env[KAFKA_BROKERS_ENV] = server.brokers;
  project.provide('kafkaBrokers', server.brokers);
  project.provide('kafkaDir', server.dir);
  project.provide('kafkaSecure', { ...server.listeners!, ...user, tlsDir: certificates.dir });
  return async () => {
    delete process.env[KAFKA_BROKERS_ENV];
    await server.stop();
  };
}
