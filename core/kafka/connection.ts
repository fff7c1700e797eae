import type { ConnectionOptions } from 'node:tls';
import type { KafkaConfig, RetryOptions } from 'kafkajs';
import { ConfigError, SecurityError } from '../errors.ts';
import { jsonLogger, type Logger } from '../handler/logger.ts';
import { kafkaSecretSource, readKafkaSecret } from '../secrets/kafka-secret.ts';
import { redactSecrets, registerSecret } from '../secrets/redact.ts';
import { securityFailure } from '../security/failures.ts';
import { readPem, tlsClientOptions, warnInsecure, type TlsSettingNames } from '../security/pem.ts';
import { isAuthMode, saslOptions, AUTH_MODES, type AuthTokenProvider, type KafkaAuthMode } from './auth.ts';
import { clientLogCreator, redactText } from './client-logger.ts';
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
  /** TLS to the brokers; default on for `iam`, SCRAM and a client certificate or CA bundle, off otherwise. */
  tls?: boolean;
  /** Default: `scram-sha-512` when a username (or a secret) is set, `iam` with a cluster ARN, else `none`. */
  auth?: KafkaAuthMode;
  username?: string;
  password?: string;
  /**
   * Secrets Manager secret (ARN or name) holding the credentials in the event source mapping's
   * format: `{"username","password"}` for SASL, `{"certificate","privateKey"}` for mutual TLS.
   * Read when the client first connects, cached for the container, read again when refused.
   */
  secretArn?: string;
  /** CA bundle (PEM) the brokers' certificates must chain to; default: Node's public roots. */
  ca?: string;
  /** Client certificate (PEM) for mutual TLS, with `key`. */
  cert?: string;
  /** Private key (PEM) of `cert`. */
  key?: string;
  /** Passphrase of an encrypted `key`. */
  keyPassword?: string;
  /**
   * Accept any broker certificate (no chain or host name check). For test clusters only; logged
   * as a warning on every client created with it.
   */
  tlsInsecureSkipVerify?: boolean;
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

export const KAFKA_TLS_SETTINGS: TlsSettingNames = {
  ca: 'DSPFN_KAFKA_CA',
  cert: 'DSPFN_KAFKA_CERT',
  key: 'DSPFN_KAFKA_KEY',
  insecure: 'DSPFN_KAFKA_TLS_INSECURE_SKIP_VERIFY',
};

/**
 * Reads DSPFN_KAFKA_BROKERS, DSPFN_MSK_CLUSTER_ARN, DSPFN_KAFKA_AUTH, DSPFN_KAFKA_TLS,
 * DSPFN_KAFKA_USERNAME, DSPFN_KAFKA_PASSWORD, DSPFN_KAFKA_SECRET_ARN, DSPFN_KAFKA_CA,
 * DSPFN_KAFKA_CERT, DSPFN_KAFKA_KEY, DSPFN_KAFKA_KEY_PASSWORD, DSPFN_KAFKA_TLS_INSECURE_SKIP_VERIFY,
 * DSPFN_KAFKA_CLIENT_ID, DSPFN_KAFKA_CONNECTION_TIMEOUT_MS, DSPFN_KAFKA_REQUEST_TIMEOUT_MS and
 * AWS_REGION; `overrides` (CLI flags) win. CA, certificate and key are PEM text or a file path.
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
  if (env.DSPFN_KAFKA_PASSWORD) {
    fromEnv.password = env.DSPFN_KAFKA_PASSWORD;
    registerSecret(fromEnv.password);
  }
  if (env.DSPFN_KAFKA_SECRET_ARN?.trim()) fromEnv.secretArn = env.DSPFN_KAFKA_SECRET_ARN.trim();
  if (env.DSPFN_KAFKA_CA?.trim()) fromEnv.ca = readPem(env.DSPFN_KAFKA_CA, 'DSPFN_KAFKA_CA', 'certificate');
  if (env.DSPFN_KAFKA_CERT?.trim()) fromEnv.cert = readPem(env.DSPFN_KAFKA_CERT, 'DSPFN_KAFKA_CERT', 'certificate');
  if (env.DSPFN_KAFKA_KEY?.trim()) fromEnv.key = readPem(env.DSPFN_KAFKA_KEY, 'DSPFN_KAFKA_KEY', 'key');
  if (env.DSPFN_KAFKA_KEY_PASSWORD) {
    fromEnv.keyPassword = env.DSPFN_KAFKA_KEY_PASSWORD;
    registerSecret(fromEnv.keyPassword);
  }
  const insecure = flag(env.DSPFN_KAFKA_TLS_INSECURE_SKIP_VERIFY, 'DSPFN_KAFKA_TLS_INSECURE_SKIP_VERIFY');
  if (insecure) fromEnv.tlsInsecureSkipVerify = true;
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

/**
 * Before its secret is read, a connection with a secret counts as SCRAM (the usual content);
 * kafkaClientConfig decides on the secret's actual content.
 */
export function authModeOf(options: KafkaConnectionOptions): KafkaAuthMode {
  if (options.auth) return options.auth;
  if (options.username) return 'scram-sha-512';
  if (options.secretArn && options.cert === undefined) return 'scram-sha-512';
  if (options.clusterArn && options.cert === undefined) return 'iam';
  return 'none';
}

export function tlsOf(options: KafkaConnectionOptions, auth: KafkaAuthMode = authModeOf(options)): boolean {
  return options.tls ?? (auth === 'iam' || auth.startsWith('scram') || options.ca !== undefined || options.cert !== undefined);
}

function regionOf(options: KafkaConnectionOptions): string | undefined {
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
  if (options.secretArn !== undefined) {
    if (options.password !== undefined || options.key !== undefined) {
      throw new ConfigError('Kafka credentials come from DSPFN_KAFKA_SECRET_ARN or from DSPFN_KAFKA_PASSWORD / DSPFN_KAFKA_KEY, not both: unset one');
    }
  } else {
    saslOptions({ auth, username: options.username, password: options.password, region: regionOf(options), tokenProvider: options.authTokenProvider });
  }
  if (options.tls === false && (options.ca !== undefined || options.cert !== undefined || options.tlsInsecureSkipVerify)) {
    throw new ConfigError('DSPFN_KAFKA_TLS is false, yet a CA, client certificate or TLS verification setting is given: remove one or the other');
  }
  tlsClientOptions(options, false, KAFKA_TLS_SETTINGS);
}

/** The options with the secret's credentials filled in (read once per container, see SecretSource). */
export async function withSecretCredentials(options: KafkaConnectionOptions): Promise<KafkaConnectionOptions> {
  if (options.secretArn === undefined) return options;
  const secret = await readKafkaSecret(kafkaSecretSource(options.secretArn));
  if (secret.kind === 'sasl') return { ...options, username: secret.username, password: secret.password };
  return { ...options, cert: secret.certificate, key: secret.privateKey, ...(secret.privateKeyPassword !== undefined ? { keyPassword: secret.privateKeyPassword } : {}) };
}

/** The kafkajs client configuration: credentials read, brokers resolved, TLS and SASL set up, logs redacted. */
export async function kafkaClientConfig(options: KafkaConnectionOptions): Promise<KafkaConfig> {
  const credentials = await withSecretCredentials(options);
  validateConnection({ ...credentials, secretArn: undefined });
  const resolved = await resolveBrokers(credentials);
  const sasl = saslOptions({
    auth: resolved.auth,
    username: credentials.username,
    password: credentials.password,
    region: regionOf(credentials),
    tokenProvider: credentials.authTokenProvider,
  });
  const logger = options.logger ?? jsonLogger({ component: 'kafka' });
  if (resolved.tls && credentials.tlsInsecureSkipVerify) warnInsecure(logger, 'Kafka', KAFKA_TLS_SETTINGS.insecure);
  const secrets = [credentials.password, credentials.key, credentials.keyPassword].filter((s): s is string => s !== undefined);
  // Also for messages made outside kafkajs's logs (describeKafkaError, the JSON logger).
  for (const secret of secrets) registerSecret(secret);
  const config: KafkaConfig = {
    clientId: options.clientId ?? 'dspfn',
    brokers: resolved.brokers,
    ssl: resolved.tls ? kafkaTls(credentials) : false,
    connectionTimeout: options.connectionTimeoutMs ?? 3_000,
    requestTimeout: options.requestTimeoutMs ?? 30_000,
    logCreator: clientLogCreator(logger, secrets),
  };
  if (sasl) config.sasl = sasl;
  if (options.retry) config.retry = options.retry;
  return config;
}

/** kafkajs's `ssl`: plain `true` (Node's defaults: public roots, full verification) unless something is set. */
function kafkaTls(options: KafkaConnectionOptions): true | ConnectionOptions {
  const custom = options.ca !== undefined || options.cert !== undefined || options.key !== undefined || options.tlsInsecureSkipVerify === true;
  return custom ? tlsClientOptions(options, options.tlsInsecureSkipVerify === true, KAFKA_TLS_SETTINGS) : true;
}

/**
 * After a client was refused: reads the secret again and resolves true when it changed, so one
 * more attempt with the new credentials is worth making (a rotated password or certificate).
 */
export async function refreshCredentialsAfter(error: unknown, options: KafkaConnectionOptions): Promise<boolean> {
  if (options.secretArn === undefined) return false;
  const failure = securityFailure(error, kafkaFailureContext(options));
  if (!failure?.credentialsRefused) return false;
  return kafkaSecretSource(options.secretArn).refresh();
}

function kafkaFailureContext(options: KafkaConnectionOptions) {
  return { service: 'Kafka', user: options.username, caSetting: KAFKA_TLS_SETTINGS.ca, certSetting: options.secretArn ? 'the secret\'s certificate' : KAFKA_TLS_SETTINGS.cert };
}

/**
 * A client's connect failure as thrown to a CLI user: a SecurityError that names what was refused
 * when it is one (the kafkajs error stays its cause), else the error itself.
 */
export function kafkaConnectError(error: unknown, options: KafkaConnectionOptions): unknown {
  if (!securityFailure(error, kafkaFailureContext(options))) return error;
  return new SecurityError(describeKafkaError(error, options), { cause: error });
}

/**
 * An error from a Kafka client, told in words: a refused login or certificate says which, and
 * names the secret or setting to fix; anything else keeps its message. Never holds a secret.
 */
export function describeKafkaError(error: unknown, options: KafkaConnectionOptions): string {
  const failure = securityFailure(error, kafkaFailureContext(options));
  if (failure?.kind === 'credentials' && authModeOf(options) === 'iam') {
    return "Kafka refused the function's IAM login (SASL OAUTHBEARER): its role needs kafka-cluster:Connect on the cluster, and the cluster needs IAM access control turned on";
  }
  if (failure) return `${failure.message}${failure.credentialsRefused && options.secretArn ? ` (credentials from Secrets Manager secret ${options.secretArn})` : ''}`;
  const own = [options.password, options.key, options.keyPassword].filter((s): s is string => s !== undefined);
  return redactSecrets(redactText(error instanceof Error ? error.message : String(error), own));
}

/** A loggable account of a connection: where, how, as whom; never a secret. */
export function describeConnection(options: KafkaConnectionOptions): Record<string, unknown> {
  const auth = authModeOf(options);
  const out: Record<string, unknown> = { auth, tls: tlsOf(options, auth) };
  if (options.brokers !== undefined) out.brokers = splitBrokers(options.brokers);
  if (options.clusterArn) out.clusterArn = options.clusterArn;
  if (options.username) out.username = options.username;
  if (options.secretArn) out.secretArn = options.secretArn;
  if (options.ca !== undefined) out.ca = 'custom';
  if (options.cert !== undefined) out.clientCertificate = true;
  if (options.tlsInsecureSkipVerify) out.tlsVerify = false;
  const region = regionOf(options);
  if (region) out.region = region;
  return out;
}
