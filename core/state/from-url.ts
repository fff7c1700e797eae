import type { DspfnEnv, EnvName } from '../env/schema.ts';
import { ConfigError } from '../errors.ts';
import { MemoryStateStore } from './memory.ts';
import { resolveLayout, type StateLayoutOptions } from './redis-layout.ts';
import { RedisStateStore } from './redis.ts';
import type { StateStore } from './store.ts';
import { UpstashStateStore } from './upstash.ts';

export interface StateStoreOptions extends StateLayoutOptions {
  /** Per load/commit deadline for the Redis stores (default 10 000 ms). */
  timeoutMs?: number;
  /** Redis connection errors, for logging (the store reconnects by itself). */
  onConnectionError?: (error: Error) => void;
  /** Where `upstash` reads UPSTASH_REDIS_REST_URL / _TOKEN (default process.env). */
  env?: Readonly<Record<string, string | undefined>>;
}

export const STATE_SPEC_FORMS = [
  'memory',
  'redis://[user:password@]host[:port][/db]',
  'rediss://[user:password@]host[:port][/db]  (TLS)',
  'upstash  (UPSTASH_REDIS_REST_URL and UPSTASH_REDIS_REST_TOKEN)',
  'upstash+https://host[?token=TOKEN]  (token defaults to UPSTASH_REDIS_REST_TOKEN)',
] as const;

/** How errors name the setting: its value may be a secret put in the wrong place, so it is never shown. */
const SETTING = 'DSPFN_STATE (or --state)';

/**
 * The store a DSPFN_STATE / --state value names. prefix and ttlSeconds apply to the Redis stores;
 * memory state lives as long as the process, so it has neither. Configuration errors throw here,
 * connection errors surface on the first load.
 */
export function createStateStore(spec: string, options: StateStoreOptions = {}): StateStore {
  const value = spec.trim();
  const { env, timeoutMs, onConnectionError, ...layout } = options;
  if (value === 'memory') return new MemoryStateStore();
  if (value.startsWith('redis://') || value.startsWith('rediss://')) {
    checkUrl(value);
    resolveLayout(layout);
    if (timeoutMs !== undefined && !(timeoutMs > 0)) throw new ConfigError(`state timeoutMs must be > 0, got ${timeoutMs}`);
    return new RedisStateStore({ url: value, ...layout, timeoutMs, onConnectionError });
  }
  if (value === 'upstash') {
    return new UpstashStateStore({ ...layout, timeoutMs, env });
  }
  // upstash+http:// is for local stand-ins (the test proxy, SRH); Upstash itself is https.
  if (value.startsWith('upstash+https://') || value.startsWith('upstash+http://')) {
    const url = checkUrl(value.slice('upstash+'.length));
    const token = url.searchParams.get('token') ?? undefined;
    url.searchParams.delete('token');
    if (url.search !== '' || url.hash !== '') {
      throw new ConfigError(`${SETTING}: the only query parameter an upstash+https:// URL takes is token`);
    }
    return new UpstashStateStore({ url: url.toString().replace(/\/$/, ''), token, ...layout, timeoutMs, env });
  }
  throw new ConfigError(`${SETTING} names no state store${schemeOf(value)}; use one of:\n  ${STATE_SPEC_FORMS.join('\n  ')}`);
}

/** What a state store reads: DSPFN_STATE*, DSPFN_REDIS_* and UPSTASH_* of the schema. */
export type StateEnv = Pick<DspfnEnv, Extract<EnvName, `DSPFN_STATE${string}` | `DSPFN_REDIS_${string}` | `UPSTASH_${string}`>>;

/** The store DSPFN_STATE names (`spec` overrides it: the CLI's --state), with its prefix and TTL. */
export function stateStoreFromEnv(env: StateEnv, spec: string = env.DSPFN_STATE ?? 'memory'): StateStore {
  return createStateStore(spec, {
    ...(env.DSPFN_STATE_PREFIX ? { prefix: env.DSPFN_STATE_PREFIX } : {}),
    ...(env.DSPFN_STATE_TTL_SECONDS ? { ttlSeconds: env.DSPFN_STATE_TTL_SECONDS } : {}),
    env: { UPSTASH_REDIS_REST_URL: env.UPSTASH_REDIS_REST_URL, UPSTASH_REDIS_REST_TOKEN: env.UPSTASH_REDIS_REST_TOKEN },
  });
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
