import type { ConnectionOptions } from 'node:tls';
import type { KafkaConfig, RetryOptions } from 'kafkajs';
import { readEnv, type RawEnv } from '../env/read-env.ts';
import { envSchema, type DspfnEnv, type EnvName } from '../env/schema.ts';
import { ConfigError, SecurityError } from '../errors.ts';
import { jsonLogger, type Logger } from '../logger/logger.ts';
import { kafkaSecretSource, readKafkaSecret } from '../secrets/kafka-secret.ts';
import { redactSecrets, registerSecret } from '../secrets/redact.ts';
import { securityFailure } from '../security/failures.ts';
import { readPem, tlsClientOptions, warnInsecure, type TlsSettingNames } from '../security/pem.ts';
import { saslOptions, type AuthTokenProvider, type KafkaAuthMode } from './auth.ts';
import { clientLogCreator, redactText } from './client-logger.ts';
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

/**
 * The variables a Kafka connection reads: every DSPFN_KAFKA_* and DSPFN_MSK_* of the schema, and the
 * region. A variable added to the schema under those names is read here with no other change.
 */
export type KafkaEnvName = Extract<EnvName, `DSPFN_KAFKA_${string}` | `DSPFN_MSK_${string}` | 'AWS_REGION' | 'AWS_DEFAULT_REGION'>;
export const KAFKA_ENV = (Object.keys(envSchema.shape) as EnvName[]).filter((name): name is KafkaEnvName =>
  /^(DSPFN_KAFKA_|DSPFN_MSK_)|^AWS_(DEFAULT_)?REGION$/.test(name),
);

export type KafkaEnv = Pick<DspfnEnv, KafkaEnvName>;

export const KAFKA_TLS_SETTINGS: TlsSettingNames = {
  ca: 'DSPFN_KAFKA_CA',
  cert: 'DSPFN_KAFKA_CERT',
  key: 'DSPFN_KAFKA_KEY',
  insecure: 'DSPFN_KAFKA_TLS_INSECURE_SKIP_VERIFY',
};

/**
 * The connection the DSPFN_KAFKA_* variables describe (validated by the environment schema), with
 * `overrides` (CLI flags) winning.
 */
export function connectionFromEnv(env: RawEnv = process.env, overrides: KafkaConnectionOptions = {}): KafkaConnectionOptions {
  return connectionFromConfig(readEnv(env, KAFKA_ENV), overrides);
}

/** As connectionFromEnv, from an environment already validated. CA, certificate and key are PEM text or a file path. */
export function connectionFromConfig(env: KafkaEnv, overrides: KafkaConnectionOptions = {}): KafkaConnectionOptions {
  const fromEnv: KafkaConnectionOptions = {};
  if (env.DSPFN_KAFKA_BROKERS) fromEnv.brokers = env.DSPFN_KAFKA_BROKERS;
  if (env.DSPFN_MSK_CLUSTER_ARN) fromEnv.clusterArn = env.DSPFN_MSK_CLUSTER_ARN;
  if (env.DSPFN_KAFKA_AUTH) fromEnv.auth = env.DSPFN_KAFKA_AUTH;
  if (env.DSPFN_KAFKA_TLS !== undefined) fromEnv.tls = env.DSPFN_KAFKA_TLS;
  if (env.DSPFN_KAFKA_USERNAME) fromEnv.username = env.DSPFN_KAFKA_USERNAME;
  if (env.DSPFN_KAFKA_PASSWORD) {
    fromEnv.password = env.DSPFN_KAFKA_PASSWORD;
    registerSecret(fromEnv.password);
  }
  if (env.DSPFN_KAFKA_SECRET_ARN) fromEnv.secretArn = env.DSPFN_KAFKA_SECRET_ARN;
  if (env.DSPFN_KAFKA_CA) fromEnv.ca = readPem(env.DSPFN_KAFKA_CA, KAFKA_TLS_SETTINGS.ca, 'certificate');
  if (env.DSPFN_KAFKA_CERT) fromEnv.cert = readPem(env.DSPFN_KAFKA_CERT, KAFKA_TLS_SETTINGS.cert, 'certificate');
  if (env.DSPFN_KAFKA_KEY) fromEnv.key = readPem(env.DSPFN_KAFKA_KEY, KAFKA_TLS_SETTINGS.key, 'key');
  if (env.DSPFN_KAFKA_KEY_PASSWORD) {
    fromEnv.keyPassword = env.DSPFN_KAFKA_KEY_PASSWORD;
    registerSecret(fromEnv.keyPassword);
  }
  if (env.DSPFN_KAFKA_TLS_INSECURE_SKIP_VERIFY) fromEnv.tlsInsecureSkipVerify = true;
  if (env.DSPFN_KAFKA_CLIENT_ID) fromEnv.clientId = env.DSPFN_KAFKA_CLIENT_ID;
  const region = env.AWS_REGION ?? env.AWS_DEFAULT_REGION;
  if (region) fromEnv.region = region;
  if (env.DSPFN_KAFKA_CONNECTION_TIMEOUT_MS) fromEnv.connectionTimeoutMs = env.DSPFN_KAFKA_CONNECTION_TIMEOUT_MS;
  if (env.DSPFN_KAFKA_REQUEST_TIMEOUT_MS) fromEnv.requestTimeoutMs = env.DSPFN_KAFKA_REQUEST_TIMEOUT_MS;
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

export function regionOf(options: KafkaConnectionOptions): string | undefined {
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
export async function kafkaClientConfig(options: KafkaConnectionOptions, eventBrokers: readonly string[] = []): Promise<KafkaConfig> {
  const credentials = await withSecretCredentials(options);
  validateConnection({ ...credentials, secretArn: undefined });
  const resolved = await resolveBrokers(credentials, eventBrokers);
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
