import type { KafkaConfig, RetryOptions } from 'kafkajs';
import { readEnv, type RawEnv } from '../env/read-env.ts';
import { envSchema, type DspfnEnv, type EnvName } from '../env/schema.ts';
import { ConfigError } from '../errors.ts';
import { jsonLogger, type Logger } from '../logger/logger.ts';
import { saslOptions, type AuthTokenProvider, type KafkaAuthMode } from './auth.ts';
import { clientLogCreator } from './client-logger.ts';
import { isMskClusterArn, mskBootstrapBrokers, regionOfArn, splitBrokers, type BootstrapBrokersClient } from './msk-brokers.ts';

/** How to reach a Kafka cluster; every field can also come from the environment (connectionFromEnv). */
export interface KafkaConnectionOptions {
  /** `host:port` list (array or comma-separated). Wins over `clusterArn` and the event's servers. */
  brokers?: string | readonly string[];
  /** MSK cluster whose bootstrap brokers are looked up (GetBootstrapBrokers) for the auth mode. */
  clusterArn?: string;
  /** Region for MSK IAM and the ARN lookup; defaults to the ARN's region, then AWS_REGION. */
  region?: string;
  /** TLS to the brokers; default on for `iam` and SCRAM (MSK requires it), off otherwise. */
  tls?: boolean;
  /** Default: `scram-sha-512` when a username is set, `iam` with a cluster ARN, else `none`. */
  auth?: KafkaAuthMode;
  username?: string;
  password?: string;
  clientId?: string;
  connectionTimeoutMs?: number;
  requestTimeoutMs?: number;
  /** Client-level retries of a failed request (kafkajs). */
  retry?: RetryOptions;
  /** kafkajs's own log lines go here, with credentials removed. */
  logger?: Logger;
  /** Injected in tests; the AWS SDK client otherwise. */
  mskClient?: BootstrapBrokersClient;
  /** Injected in tests; aws-msk-iam-sasl-signer-js otherwise. */
  authTokenProvider?: AuthTokenProvider;
}

export interface ResolvedConnection {
  brokers: string[];
  /** Where the brokers came from, for messages. */
  source: 'options' | 'msk' | 'event';
  auth: KafkaAuthMode;
  tls: boolean;
}

/**
 * The variables a Kafka connection reads: every DSPFN_KAFKA_* and DSPFN_MSK_* of the schema, and the
 * region. A variable added to the schema under those names is read here with no other change.
 */
export type KafkaEnvName = Extract<EnvName, `DSPFN_KAFKA_${string}` | `DSPFN_MSK_${string}` | 'AWS_REGION' | 'AWS_DEFAULT_REGION'>;
export const KAFKA_ENV = (Object.keys(envSchema.shape) as EnvName[]).filter((name): name is KafkaEnvName =>
  /^(DSPFN_KAFKA_|DSPFN_MSK_)|^AWS_(DEFAULT_)?REGION$/.test(name),
);

export type KafkaEnv = Pick<DspfnEnv, KafkaEnvName>;

/**
 * The connection the DSPFN_KAFKA_* variables describe (validated by the environment schema), with
 * `overrides` (CLI flags) winning.
 */
export function connectionFromEnv(env: RawEnv = process.env, overrides: KafkaConnectionOptions = {}): KafkaConnectionOptions {
  return connectionFromConfig(readEnv(env, KAFKA_ENV), overrides);
}

/** As connectionFromEnv, from an environment already validated. */
export function connectionFromConfig(env: KafkaEnv, overrides: KafkaConnectionOptions = {}): KafkaConnectionOptions {
  const fromEnv: KafkaConnectionOptions = {};
  if (env.DSPFN_KAFKA_BROKERS) fromEnv.brokers = env.DSPFN_KAFKA_BROKERS;
  if (env.DSPFN_MSK_CLUSTER_ARN) fromEnv.clusterArn = env.DSPFN_MSK_CLUSTER_ARN;
  if (env.DSPFN_KAFKA_AUTH) fromEnv.auth = env.DSPFN_KAFKA_AUTH;
  if (env.DSPFN_KAFKA_TLS !== undefined) fromEnv.tls = env.DSPFN_KAFKA_TLS;
  if (env.DSPFN_KAFKA_USERNAME) fromEnv.username = env.DSPFN_KAFKA_USERNAME;
  if (env.DSPFN_KAFKA_PASSWORD) fromEnv.password = env.DSPFN_KAFKA_PASSWORD;
  if (env.DSPFN_KAFKA_CLIENT_ID) fromEnv.clientId = env.DSPFN_KAFKA_CLIENT_ID;
  const region = env.AWS_REGION ?? env.AWS_DEFAULT_REGION;
  if (region) fromEnv.region = region;
  if (env.DSPFN_KAFKA_CONNECTION_TIMEOUT_MS) fromEnv.connectionTimeoutMs = env.DSPFN_KAFKA_CONNECTION_TIMEOUT_MS;
  if (env.DSPFN_KAFKA_REQUEST_TIMEOUT_MS) fromEnv.requestTimeoutMs = env.DSPFN_KAFKA_REQUEST_TIMEOUT_MS;
  const defined = Object.fromEntries(Object.entries(overrides).filter(([, v]) => v !== undefined));
  return { ...fromEnv, ...defined };
}

export function authModeOf(options: KafkaConnectionOptions): KafkaAuthMode {
  if (options.auth) return options.auth;
  if (options.username) return 'scram-sha-512';
  if (options.clusterArn) return 'iam';
  return 'none';
}

export function tlsOf(options: KafkaConnectionOptions, auth: KafkaAuthMode = authModeOf(options)): boolean {
  return options.tls ?? (auth === 'iam' || auth.startsWith('scram'));
}

function regionOf(options: KafkaConnectionOptions): string | undefined {
  return (options.clusterArn ? regionOfArn(options.clusterArn) : undefined) ?? options.region;
}

/**
 * Configured brokers, else the MSK cluster's, else `eventBrokers`: the bootstrap servers of the
 * event being handled (a Lambda container serves one mapping, so the cluster the events come from
 * is a sound default for outputs).
 */
export async function resolveBrokers(options: KafkaConnectionOptions, eventBrokers: readonly string[] = []): Promise<ResolvedConnection> {
  const auth = authModeOf(options);
  const tls = tlsOf(options, auth);
  if (options.brokers !== undefined) {
    const brokers = splitBrokers(options.brokers);
    if (brokers.length === 0) throw new ConfigError('Kafka brokers are empty (DSPFN_KAFKA_BROKERS / --brokers)');
    return { brokers, source: 'options', auth, tls };
  }
  if (options.clusterArn) {
    const lookup: { client?: BootstrapBrokersClient; region?: string } = {};
    if (options.mskClient) lookup.client = options.mskClient;
    const region = regionOf(options);
    if (region) lookup.region = region;
    return { brokers: await mskBootstrapBrokers(options.clusterArn, auth, tls, lookup), source: 'msk', auth, tls };
  }
  if (eventBrokers.length > 0) return { brokers: [...eventBrokers], source: 'event', auth, tls };
  throw new ConfigError(
    'no Kafka brokers: set DSPFN_KAFKA_BROKERS (host:port,…) or DSPFN_MSK_CLUSTER_ARN, or pass --brokers; in Lambda the event\'s bootstrapServers are used once an event has been seen',
  );
}

/** Static checks that need no network, so a bad configuration fails at cold start. */
export function validateConnection(options: KafkaConnectionOptions): void {
  const auth = authModeOf(options);
  if (options.clusterArn && !isMskClusterArn(options.clusterArn)) {
    throw new ConfigError('DSPFN_MSK_CLUSTER_ARN is not an MSK cluster ARN (arn:aws:kafka:<region>:<account>:cluster/<name>/<uuid>)');
  }
  saslOptions({ auth, username: options.username, password: options.password, region: regionOf(options), tokenProvider: options.authTokenProvider });
}

/** The kafkajs client configuration: brokers resolved, TLS and SASL set up, logs redacted. */
export async function kafkaClientConfig(options: KafkaConnectionOptions, eventBrokers: readonly string[] = []): Promise<KafkaConfig> {
  const resolved = await resolveBrokers(options, eventBrokers);
  const sasl = saslOptions({
    auth: resolved.auth,
    username: options.username,
    password: options.password,
    region: regionOf(options),
    tokenProvider: options.authTokenProvider,
  });
  const config: KafkaConfig = {
    clientId: options.clientId ?? 'dspfn',
    brokers: resolved.brokers,
    ssl: resolved.tls,
    connectionTimeout: options.connectionTimeoutMs ?? 3_000,
    requestTimeout: options.requestTimeoutMs ?? 30_000,
    logCreator: clientLogCreator(options.logger ?? jsonLogger({ component: 'kafka' }), options.password ? [options.password] : []),
  };
  if (sasl) config.sasl = sasl;
  if (options.retry) config.retry = options.retry;
  return config;
}

/** A loggable account of a connection: where, how, as whom; never a secret. */
export function describeConnection(options: KafkaConnectionOptions): Record<string, unknown> {
  const auth = authModeOf(options);
  const out: Record<string, unknown> = { auth, tls: tlsOf(options, auth) };
  if (options.brokers !== undefined) out.brokers = splitBrokers(options.brokers);
  if (options.clusterArn) out.clusterArn = options.clusterArn;
  if (options.username) out.username = options.username;
  const region = regionOf(options);
  if (region) out.region = region;
  return out;
}
