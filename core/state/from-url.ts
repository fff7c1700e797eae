import { ConfigError } from '../errors.ts';
import type { Logger } from '../handler/logger.ts';
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
   * _TOKEN, DSPFN_STATE_SSM_PARAMETER, DSPFN_UPSTASH_TOKEN_SSM_PARAMETER and the DSPFN_REDIS_*
   * TLS settings.
   */
  env?: NodeJS.ProcessEnv;
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

/**
 * The store a DSPFN_STATE / --state value names. prefix and ttlSeconds apply to the Redis stores;
 * memory state lives as long as the process, so it has neither. Configuration errors throw here,
 * connection errors surface on the first load (or warm()). Unset (undefined) means memory, or
 * the URL in DSPFN_STATE_SSM_PARAMETER when that is set; a spec given wins over the parameter
 * (tests and the CLI pass `memory` explicitly).
 */
export function createStateStore(spec: string | undefined, options: StateStoreOptions = {}): StateStore {
  const { env = process.env, timeoutMs, onConnectionError, logger, ...layout } = options;
  const parameter = env.DSPFN_STATE_SSM_PARAMETER?.trim();
  if (spec === undefined && parameter) {
    resolveLayout(layout);
    checkTimeout(timeoutMs);
    return new RedisStateStore({ url: ssmParameter(parameter), ...layout, timeoutMs, onConnectionError, ...redisTls(env), ...(logger ? { logger } : {}) });
  }
  const value = (spec ?? 'memory').trim();
  if (value === 'memory') return new MemoryStateStore();
  if (value.startsWith('redis://') || value.startsWith('rediss://')) {
    registerSecret(value);
    checkUrl(value);
    resolveLayout(layout);
    checkTimeout(timeoutMs);
    return new RedisStateStore({ url: value, ...layout, timeoutMs, onConnectionError, ...redisTls(env), ...(logger ? { logger } : {}) });
  }
  const tokenParameter = env.DSPFN_UPSTASH_TOKEN_SSM_PARAMETER?.trim();
  const token = tokenParameter ? ssmParameter(tokenParameter) : undefined;
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
      throw new ConfigError(`state store "${redact(value)}": the only query parameter an upstash URL takes is token`);
    }
    if (inline !== undefined && token !== undefined) {
      throw new ConfigError('the Upstash token comes from the URL or from DSPFN_UPSTASH_TOKEN_SSM_PARAMETER, not both');
    }
    return new UpstashStateStore({ url: url.toString().replace(/\/$/, ''), token: token ?? inline, ...layout, timeoutMs, env });
  }
  throw new ConfigError(`unknown state store "${redact(value)}"; use one of:\n  ${STATE_SPEC_FORMS.join('\n  ')}`);
}

/** DSPFN_REDIS_CA, _CERT, _KEY, _KEY_PASSWORD, _TLS_INSECURE_SKIP_VERIFY: PEM text or file paths. */
function redisTls(env: NodeJS.ProcessEnv): { tls?: RedisTlsOptions } {
  const tls: RedisTlsOptions = {};
  if (env.DSPFN_REDIS_CA?.trim()) tls.ca = readPem(env.DSPFN_REDIS_CA, REDIS_TLS_SETTINGS.ca, 'certificate');
  if (env.DSPFN_REDIS_CERT?.trim()) tls.cert = readPem(env.DSPFN_REDIS_CERT, REDIS_TLS_SETTINGS.cert, 'certificate');
  if (env.DSPFN_REDIS_KEY?.trim()) tls.key = readPem(env.DSPFN_REDIS_KEY, REDIS_TLS_SETTINGS.key, 'key');
  if (env.DSPFN_REDIS_KEY_PASSWORD) {
    tls.keyPassword = env.DSPFN_REDIS_KEY_PASSWORD;
    registerSecret(tls.keyPassword);
  }
  const insecure = env.DSPFN_REDIS_TLS_INSECURE_SKIP_VERIFY?.trim();
  if (insecure) {
    if (/^(1|true|yes|on)$/i.test(insecure)) tls.insecureSkipVerify = true;
    else if (!/^(0|false|no|off)$/i.test(insecure)) throw new ConfigError(`${REDIS_TLS_SETTINGS.insecure} must be true or false, got "${insecure}"`);
  }
  return Object.keys(tls).length > 0 ? { tls } : {};
}

function checkTimeout(timeoutMs: number | undefined): void {
  if (timeoutMs !== undefined && !(timeoutMs > 0)) throw new ConfigError(`state timeoutMs must be > 0, got ${timeoutMs}`);
}

function checkUrl(text: string): URL {
  try {
    return new URL(text);
  } catch {
    throw new ConfigError(`state store URL "${redact(text)}" is not a valid URL`);
  }
}

/** The spec as it may be shown: passwords and tokens replaced. */
export function redact(spec: string): string {
  return spec.replace(/(\/\/[^/@:]*:)[^/@]*@/, '$1***@').replace(/([?&]token=)[^&]*/, '$1***');
}
