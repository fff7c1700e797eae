import { readEnv, type RawEnv } from '../env/read-env.ts';
import type { DspfnEnv, EnvName } from '../env/schema.ts';
import { ConfigError } from '../errors.ts';
import type { Logger } from '../logger/logger.ts';
import { registerSecret } from '../secrets/redact.ts';
import { ssmParameter } from '../secrets/source.ts';
import { readPem } from '../security/pem.ts';
import { MemoryStateStore } from './memory.ts';
import { resolveLayout, type StateLayoutOptions } from './redis-layout.ts';
import { REDIS_TLS_SETTINGS, RedisStateStore, type RedisTlsOptions } from './redis.ts';
import type { StateStore } from './store.ts';
import { UpstashStateStore } from './upstash.ts';

export interface StateStoreOptions extends StateLayoutOptions {
  /** Per load/commit deadline for the Redis stores (default 10 000 ms). */
  timeoutMs?: number;
  /** Redis connection errors, for logging (the store reconnects by itself). */
  onConnectionError?: (error: Error) => void;
  /**
   * Where the stores read their other settings (default process.env): UPSTASH_REDIS_REST_URL /
   * _TOKEN, DSPFN_STATE_SSM_PARAMETER, DSPFN_UPSTASH_TOKEN_SSM_PARAMETER and the DSPFN_REDIS_* TLS
   * settings.
   */
  env?: RawEnv;
  /** Where a warning about turned-off certificate verification goes. */
  logger?: Logger;
}

export const STATE_SPEC_FORMS = [
  'memory',
  'redis://[user:password@]host[:port][/db]',
  'rediss://[user:password@]host[:port][/db]  (TLS; DSPFN_REDIS_CA, DSPFN_REDIS_CERT, DSPFN_REDIS_KEY)',
  'upstash  (UPSTASH_REDIS_REST_URL and UPSTASH_REDIS_REST_TOKEN or DSPFN_UPSTASH_TOKEN_SSM_PARAMETER)',
  'upstash+https://host[?token=TOKEN]  (token defaults to UPSTASH_REDIS_REST_TOKEN)',
  '(unset, with DSPFN_STATE_SSM_PARAMETER)  the redis:// or rediss:// URL read from that SSM parameter',
] as const;

/** How errors name the setting: its value may be a secret put in the wrong place, so it is never shown. */
const SETTING = 'DSPFN_STATE (or --state)';

/** What a state store reads: DSPFN_STATE*, DSPFN_REDIS_*, DSPFN_UPSTASH_* and UPSTASH_* of the schema. */
export type StateEnvName = Extract<EnvName, `DSPFN_STATE${string}` | `DSPFN_REDIS_${string}` | `DSPFN_UPSTASH_${string}` | `UPSTASH_${string}`>;
export type StateEnv = Pick<DspfnEnv, StateEnvName>;

/** Where the secrets and certificates of the stores come from (the rest is in the spec). */
const SECURITY_ENV = [
  'DSPFN_STATE_SSM_PARAMETER',
  'DSPFN_UPSTASH_TOKEN_SSM_PARAMETER',
  'DSPFN_REDIS_CA',
  'DSPFN_REDIS_CERT',
  'DSPFN_REDIS_KEY',
  'DSPFN_REDIS_KEY_PASSWORD',
  'DSPFN_REDIS_TLS_INSECURE_SKIP_VERIFY',
] as const satisfies readonly StateEnvName[];

/**
 * The store a DSPFN_STATE / --state value names. prefix and ttlSeconds apply to the Redis stores;
 * memory state lives as long as the process, so it has neither. Configuration errors throw here,
 * connection errors surface on the first load (or warm()). Unset (undefined) means memory, or
 * the URL in DSPFN_STATE_SSM_PARAMETER when that is set; a spec given wins over the parameter
 * (tests and the CLI pass `memory` explicitly).
 */
export function createStateStore(spec: string | undefined, options: StateStoreOptions = {}): StateStore {
  const { env, timeoutMs, onConnectionError, logger, ...layout } = options;
  const settings = readEnv(env, SECURITY_ENV);
  const redis = { ...layout, timeoutMs, onConnectionError, ...redisTls(settings), ...(logger ? { logger } : {}) };
  if (spec === undefined && settings.DSPFN_STATE_SSM_PARAMETER) {
    resolveLayout(layout);
    checkTimeout(timeoutMs);
    return new RedisStateStore({ url: ssmParameter(settings.DSPFN_STATE_SSM_PARAMETER), ...redis });
  }
  const value = (spec ?? 'memory').trim();
  if (value === 'memory') return new MemoryStateStore();
  if (value.startsWith('redis://') || value.startsWith('rediss://')) {
    registerSecret(value);
    checkUrl(value);
    resolveLayout(layout);
    checkTimeout(timeoutMs);
    return new RedisStateStore({ url: value, ...redis });
  }
  const token = settings.DSPFN_UPSTASH_TOKEN_SSM_PARAMETER ? ssmParameter(settings.DSPFN_UPSTASH_TOKEN_SSM_PARAMETER) : undefined;
  if (value === 'upstash') {
    return new UpstashStateStore({ ...layout, timeoutMs, env, ...(token ? { token } : {}) });
  }
  // upstash+http:// is for local stand-ins (the test proxy, SRH); Upstash itself is https.
  if (value.startsWith('upstash+https://') || value.startsWith('upstash+http://')) {
    registerSecret(value);
    const url = checkUrl(value.slice('upstash+'.length));
    const inline = url.searchParams.get('token') ?? undefined;
    registerSecret(inline);
    url.searchParams.delete('token');
    if (url.search !== '' || url.hash !== '') {
      throw new ConfigError(`${SETTING}: the only query parameter an upstash+https:// URL takes is token`);
    }
    if (inline !== undefined && token !== undefined) {
      throw new ConfigError('the Upstash token comes from the URL or from DSPFN_UPSTASH_TOKEN_SSM_PARAMETER, not both');
    }
    return new UpstashStateStore({ url: url.toString().replace(/\/$/, ''), token: token ?? inline, ...layout, timeoutMs, env });
  }
  throw new ConfigError(`${SETTING} names no state store${schemeOf(value)}; use one of:\n  ${STATE_SPEC_FORMS.join('\n  ')}`);
}

/** The store DSPFN_STATE names (`spec` overrides it: the CLI's --state), with its prefix, TTL and TLS settings. */
export function stateStoreFromEnv(env: StateEnv, spec: string | undefined = env.DSPFN_STATE, logger?: Logger): StateStore {
  return createStateStore(spec, {
    ...(env.DSPFN_STATE_PREFIX ? { prefix: env.DSPFN_STATE_PREFIX } : {}),
    ...(env.DSPFN_STATE_TTL_SECONDS ? { ttlSeconds: env.DSPFN_STATE_TTL_SECONDS } : {}),
    env: rawEnv(env),
    ...(logger ? { logger } : {}),
  });
}

/** Validated values back as text, for the stores that read their own variables. */
function rawEnv(env: StateEnv): RawEnv {
  return Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined).map(([k, v]) => [k, String(v)]));
}

/** DSPFN_REDIS_CA, _CERT, _KEY (PEM text or file paths), _KEY_PASSWORD, _TLS_INSECURE_SKIP_VERIFY. */
function redisTls(env: Pick<DspfnEnv, (typeof SECURITY_ENV)[number]>): { tls?: RedisTlsOptions } {
  const tls: RedisTlsOptions = {};
  if (env.DSPFN_REDIS_CA) tls.ca = readPem(env.DSPFN_REDIS_CA, REDIS_TLS_SETTINGS.ca, 'certificate');
  if (env.DSPFN_REDIS_CERT) tls.cert = readPem(env.DSPFN_REDIS_CERT, REDIS_TLS_SETTINGS.cert, 'certificate');
  if (env.DSPFN_REDIS_KEY) tls.key = readPem(env.DSPFN_REDIS_KEY, REDIS_TLS_SETTINGS.key, 'key');
  if (env.DSPFN_REDIS_KEY_PASSWORD) {
    tls.keyPassword = env.DSPFN_REDIS_KEY_PASSWORD;
    registerSecret(tls.keyPassword);
  }
  if (env.DSPFN_REDIS_TLS_INSECURE_SKIP_VERIFY) tls.insecureSkipVerify = true;
  return Object.keys(tls).length > 0 ? { tls } : {};
}

function checkTimeout(timeoutMs: number | undefined): void {
  if (timeoutMs !== undefined && !(timeoutMs > 0)) throw new ConfigError(`state timeoutMs must be > 0, got ${timeoutMs}`);
}

function checkUrl(text: string): URL {
  try {
    return new URL(text);
  } catch {
    throw new ConfigError(`${SETTING} is not a valid URL`);
  }
}

/** A URL scheme is safe to name (` (scheme "mongodb")`), and helps; nothing else of the value is shown. */
function schemeOf(value: string): string {
  const scheme = /^([a-z][a-z0-9+.-]{0,20}):\/\//i.exec(value)?.[1];
  return scheme ? ` (scheme "${scheme.toLowerCase()}")` : '';
}
