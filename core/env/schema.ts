import * as z from 'zod';
import { flag, oneOf, positiveInteger, positiveNumber, secret, text } from './values.ts';

export const LOG_LEVELS = ['debug', 'info', 'warn', 'error', 'silent'] as const;
export const SINKS = ['stdout', 'kafka'] as const;
export const BACKENDS = ['native', 'js'] as const;
export const SIMD_PATHS = ['auto', '1', 'on', '0', 'off', 'scalar', 'sse2', 'avx2', 'neon'] as const;
export const COMPRESSIONS = ['none', 'gzip', 'lz4', 'zstd'] as const;
export const AUTH_MODES = ['none', 'plain', 'scram-sha-256', 'scram-sha-512', 'iam'] as const;

/**
 * Every environment variable dspfn reads, in one place: its DSPFN_* settings and the few set by
 * AWS or Upstash. To add one, add its line here (a value builder from values.ts and a
 * description) and read it as a typed field of `DspfnEnv` where it is used: `readEnv` validates it
 * with all the others at cold start, and the adapters see it by its name (the Kafka connection
 * every DSPFN_KAFKA_* / DSPFN_MSK_*, state stores every DSPFN_STATE* / DSPFN_REDIS_* / UPSTASH_*).
 * Unset and empty are the same. Defaults that depend on other settings (Kafka auth and TLS, the
 * backend) are decided where the value is used, so absent stays `undefined` here.
 */
export const envSchema = z.object({
  // The function's adapters (see core/runtime).
  DSPFN_STATE: text().optional().describe('state store: memory (default), redis://…, rediss://…, upstash, upstash+https://…'),
  DSPFN_STATE_PREFIX: text().optional().describe('prefix of every state key (default dspfn:)'),
  DSPFN_STATE_TTL_SECONDS: positiveNumber('seconds').optional().describe('state keys expire this long after their last commit'),
  DSPFN_STATE_SSM_PARAMETER: text().optional().describe('SSM parameter (SecureString) holding the redis:// or rediss:// URL; used when DSPFN_STATE is unset'),
  DSPFN_REDIS_CA: text().optional().describe('CA bundle the Redis server certificate must chain to: PEM text or a file path'),
  DSPFN_REDIS_CERT: text().optional().describe('client certificate for Redis over TLS: PEM text or a file path'),
  DSPFN_REDIS_KEY: secret().optional().describe('private key of DSPFN_REDIS_CERT: PEM text or a file path'),
  DSPFN_REDIS_KEY_PASSWORD: secret().optional().describe('passphrase of an encrypted DSPFN_REDIS_KEY'),
  DSPFN_REDIS_TLS_INSECURE_SKIP_VERIFY: flag().optional().describe('accept any Redis server certificate (test servers only; logged as a warning)'),
  DSPFN_UPSTASH_TOKEN_SSM_PARAMETER: text().optional().describe('SSM parameter (SecureString) holding the Upstash REST token'),
  DSPFN_SINK: oneOf(SINKS).optional().describe('where outputs go: stdout (default) or kafka'),
  DSPFN_METRICS: flag().optional().describe('CloudWatch metrics (one EMF line per batch on stdout): on by default on Lambda; off turns them off, on turns them on elsewhere'),
  DSPFN_LOG_LEVEL: oneOf(LOG_LEVELS).optional().describe('log level (default info)'),
  DSPFN_BACKEND: oneOf(BACKENDS).optional().describe('DSP kernels: native or js (default: native when its module loads)'),
  DSPFN_NATIVE_PATH: text().optional().describe('the native module file (or its folder) to load instead of searching'),
  DSPFN_SIMD: oneOf(SIMD_PATHS).optional().describe('native SIMD path (read by the native module itself): auto, 0/off/scalar, sse2, avx2, neon'),

  // Kafka connection of the sink, `dspfn consume` and `dspfn record` (see core/kafka/connection.ts).
  DSPFN_KAFKA_BROKERS: text().optional().describe('host:port,host:port'),
  DSPFN_MSK_CLUSTER_ARN: text().optional().describe('MSK cluster whose bootstrap brokers are looked up'),
  DSPFN_KAFKA_AUTH: oneOf(AUTH_MODES).optional().describe('SASL mechanism (default from the other settings)'),
  DSPFN_KAFKA_TLS: flag().optional().describe('TLS to the brokers (default on for iam, SCRAM, a CA bundle or a client certificate)'),
  DSPFN_KAFKA_USERNAME: text().optional().describe('SASL username'),
  DSPFN_KAFKA_PASSWORD: secret().optional().describe('SASL password'),
  DSPFN_KAFKA_SECRET_ARN: text().optional().describe('Secrets Manager secret with {username, password} or {certificate, privateKey}'),
  DSPFN_KAFKA_CA: text().optional().describe('CA bundle the broker certificates must chain to: PEM text or a file path'),
  DSPFN_KAFKA_CERT: text().optional().describe('client certificate for mutual TLS: PEM text or a file path'),
  DSPFN_KAFKA_KEY: secret().optional().describe('private key of DSPFN_KAFKA_CERT: PEM text or a file path'),
  DSPFN_KAFKA_KEY_PASSWORD: secret().optional().describe('passphrase of an encrypted DSPFN_KAFKA_KEY'),
  DSPFN_KAFKA_TLS_INSECURE_SKIP_VERIFY: flag().optional().describe('accept any broker certificate (test clusters only; logged as a warning)'),
  DSPFN_KAFKA_CLIENT_ID: text().optional().describe('Kafka client id (default dspfn)'),
  DSPFN_KAFKA_CONNECTION_TIMEOUT_MS: positiveInteger('milliseconds').optional().describe('default 3000'),
  DSPFN_KAFKA_REQUEST_TIMEOUT_MS: positiveInteger('milliseconds').optional().describe('default 30000'),
  DSPFN_KAFKA_COMPRESSION: oneOf(COMPRESSIONS).optional().describe('record batch compression: none (default), gzip, lz4 or zstd (Node >= 22.15)'),

  // Tooling.
  DSPFN_DEBUG: flag().optional().describe('the CLI prints stack traces'),
  DSPFN_ARTIFACT_DIR: text().optional().describe('where dspfn bundle / package / deploy put the function zips (default .dspfn/deploy)'),
  DSPFN_CACHE: text().optional().describe('where dspfn keeps downloads, e.g. the arm64 package for dspfn layer (default ~/.cache/dspfn)'),

  // Set by others, read by dspfn.
  AWS_LAMBDA_FUNCTION_NAME: text().optional().describe('set by Lambda: dspfn is running on Lambda'),
  AWS_REGION: text().optional().describe('region for MSK IAM and the cluster lookup'),
  AWS_DEFAULT_REGION: text().optional().describe('fallback for AWS_REGION'),
  UPSTASH_REDIS_REST_URL: text().optional().describe('Upstash REST URL for DSPFN_STATE=upstash'),
  UPSTASH_REDIS_REST_TOKEN: secret().optional().describe('Upstash REST token'),
});

/** The validated environment: each variable typed (numbers, flags, enums), absent when unset. */
export type DspfnEnv = z.output<typeof envSchema>;
export type EnvName = keyof DspfnEnv;
