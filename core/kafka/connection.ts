import type { KafkaConfig, RetryOptions } from 'kafkajs';
import { ConfigError } from '../errors.ts';
import { jsonLogger, type Logger } from '../handler/logger.ts';
import { isAuthMode, saslOptions, AUTH_MODES, type AuthTokenProvider, type KafkaAuthMode } from './auth.ts';
import { clientLogCreator } from './client-logger.ts';
import { eventBootstrapServers } from './event-brokers.ts';
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

function flag(value: string | undefined, name: string): boolean | undefined {
  if (value === undefined || value === '') return undefined;
  if (/^(1|true|yes|on)$/i.test(value)) return true;
  if (/^(0|false|no|off)$/i.test(value)) return false;
  throw new ConfigError(`${name} must be true or false, got "${value}"`);
}

function positive(value: string | undefined, name: string): number | undefined {
  if (value === undefined || value === '') return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new ConfigError(`${name} must be a positive integer (milliseconds), got "${value}"`);
  return n;
}

/**
 * Reads DSPFN_KAFKA_BROKERS, DSPFN_MSK_CLUSTER_ARN, DSPFN_KAFKA_AUTH, DSPFN_KAFKA_TLS,
 * DSPFN_KAFKA_USERNAME, DSPFN_KAFKA_PASSWORD, DSPFN_KAFKA_CLIENT_ID, DSPFN_KAFKA_CONNECTION_TIMEOUT_MS,
 * DSPFN_KAFKA_REQUEST_TIMEOUT_MS and AWS_REGION; `overrides` (CLI flags) win.
 */
export function connectionFromEnv(env: NodeJS.ProcessEnv = process.env, overrides: KafkaConnectionOptions = {}): KafkaConnectionOptions {
  const auth = env.DSPFN_KAFKA_AUTH?.trim().toLowerCase();
  if (auth && !isAuthMode(auth)) throw new ConfigError(`DSPFN_KAFKA_AUTH must be one of ${AUTH_MODES.join(', ')}, got "${auth}"`);
  const fromEnv: KafkaConnectionOptions = {};
  if (env.DSPFN_KAFKA_BROKERS?.trim()) fromEnv.brokers = env.DSPFN_KAFKA_BROKERS;
  if (env.DSPFN_MSK_CLUSTER_ARN?.trim()) fromEnv.clusterArn = env.DSPFN_MSK_CLUSTER_ARN.trim();
  if (auth) fromEnv.auth = auth as KafkaAuthMode;
  const tls = flag(env.DSPFN_KAFKA_TLS, 'DSPFN_KAFKA_TLS');
  if (tls !== undefined) fromEnv.tls = tls;
  if (env.DSPFN_KAFKA_USERNAME) fromEnv.username = env.DSPFN_KAFKA_USERNAME;
  if (env.DSPFN_KAFKA_PASSWORD) fromEnv.password = env.DSPFN_KAFKA_PASSWORD;
  if (env.DSPFN_KAFKA_CLIENT_ID) fromEnv.clientId = env.DSPFN_KAFKA_CLIENT_ID;
  const region = env.AWS_REGION ?? env.AWS_DEFAULT_REGION;
  if (region) fromEnv.region = region;
  const connectionTimeoutMs = positive(env.DSPFN_KAFKA_CONNECTION_TIMEOUT_MS, 'DSPFN_KAFKA_CONNECTION_TIMEOUT_MS');
  if (connectionTimeoutMs) fromEnv.connectionTimeoutMs = connectionTimeoutMs;
  const requestTimeoutMs = positive(env.DSPFN_KAFKA_REQUEST_TIMEOUT_MS, 'DSPFN_KAFKA_REQUEST_TIMEOUT_MS');
  if (requestTimeoutMs) fromEnv.requestTimeoutMs = requestTimeoutMs;
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

export function regionOf(options: KafkaConnectionOptions): string | undefined {
  return (options.clusterArn ? regionOfArn(options.clusterArn) : undefined) ?? options.region;
}

/** Configured brokers, else the MSK cluster's, else the servers of the event being handled. */
export async function resolveBrokers(options: KafkaConnectionOptions): Promise<ResolvedConnection> {
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
  const fromEvent = eventBootstrapServers();
  if (fromEvent.length > 0) return { brokers: fromEvent, source: 'event', auth, tls };
  throw new ConfigError(
    'no Kafka brokers: set DSPFN_KAFKA_BROKERS (host:port,…) or DSPFN_MSK_CLUSTER_ARN, or pass --brokers; in Lambda the event\'s bootstrapServers are used once an event has been seen',
  );
}

/** Static checks that need no network, so a bad configuration fails at cold start. */
export function validateConnection(options: KafkaConnectionOptions): void {
  const auth = authModeOf(options);
  if (options.clusterArn && !isMskClusterArn(options.clusterArn)) {
    throw new ConfigError(`DSPFN_MSK_CLUSTER_ARN "${options.clusterArn}" is not an MSK cluster ARN`);
  }
  saslOptions({ auth, username: options.username, password: options.password, region: regionOf(options), tokenProvider: options.authTokenProvider });
}

/** The kafkajs client configuration: brokers resolved, TLS and SASL set up, logs redacted. */
export async function kafkaClientConfig(options: KafkaConnectionOptions): Promise<KafkaConfig> {
  const resolved = await resolveBrokers(options);
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
