import { registerSecret } from './redact.ts';

// The AWS reads load on first use: in a function bundle they are an on-demand chunk (the AWS SDK
// itself comes from the Lambda runtime), so a function whose secrets are not in AWS never loads them.
const aws = () => import('./aws.ts');

/**
 * A secret held outside the function's configuration. Read once (at init, by warm()), kept for
 * the life of the container, and read again only when a server refuses it: a rotated password
 * is then picked up without a redeploy.
 */
export interface SecretSource {
  /** What it is, for messages: "Secrets Manager secret arn:…", "SSM parameter /dspfn/…". Never the value. */
  readonly description: string;
  /** The value, read on first call and cached; a failed read is retried by the next call. */
  get(): Promise<string>;
  /**
   * Reads the value again; resolves true when it changed (so a retry with it can succeed).
   * Refreshes closer together than `minRefreshIntervalMs` (default 30 s) reuse the last one, so
   * credentials that are simply wrong cost one read per interval, not one per failed batch.
   */
  refresh(): Promise<boolean>;
}

const MIN_REFRESH_INTERVAL_MS = 30_000;

class CachedSecret implements SecretSource {
  private value: Promise<string> | undefined;
  private refreshing: Promise<boolean> | undefined;
  private lastRefresh = -Infinity;

  constructor(
    readonly description: string,
    private readonly read: () => Promise<string>,
    private readonly minRefreshIntervalMs: number,
  ) {}

  get(): Promise<string> {
    if (!this.value) {
      const reading = this.read().then((value) => {
        registerSecret(value);
        return value;
      });
      reading.catch(() => {
        if (this.value === reading) this.value = undefined;
      });
      this.value = reading;
    }
    return this.value;
  }

  refresh(): Promise<boolean> {
    if (performance.now() - this.lastRefresh < this.minRefreshIntervalMs) return Promise.resolve(false);
    this.refreshing ??= (async () => {
      this.lastRefresh = performance.now();
      const before = await this.value?.catch(() => undefined);
      this.value = undefined;
      const after = await this.get();
      return after !== before;
    })().finally(() => {
      this.refreshing = undefined;
    });
    return this.refreshing;
  }
}

// One per secret for the whole container: every client that names the same secret shares one read.
const cache = new Map<string, SecretSource>();

function cached(key: string, create: () => SecretSource): SecretSource {
  let source = cache.get(key);
  if (!source) cache.set(key, (source = create()));
  return source;
}

/** A Secrets Manager secret's text (GetSecretValue), by ARN or name. */
export function secretsManagerSecret(secretId: string, options: { minRefreshIntervalMs?: number } = {}): SecretSource {
  return cached(`secretsmanager\n${secretId}`, () => new CachedSecret(`Secrets Manager secret ${secretId}`, async () => (await aws()).readSecretString(secretId), options.minRefreshIntervalMs ?? MIN_REFRESH_INTERVAL_MS));
}

/** An SSM parameter's value (GetParameter, decrypted), by name or ARN. */
export function ssmParameter(name: string, options: { minRefreshIntervalMs?: number } = {}): SecretSource {
  return cached(`ssm\n${name}`, () => new CachedSecret(`SSM parameter ${name}`, async () => (await aws()).readParameter(name), options.minRefreshIntervalMs ?? MIN_REFRESH_INTERVAL_MS));
}

/** A value known up front (a plain environment variable): nothing to read, nothing to refresh. */
export function fixedSecret(value: string, description: string): SecretSource {
  registerSecret(value);
  return { description, get: () => Promise.resolve(value), refresh: () => Promise.resolve(false) };
}

/** For tests: drop every cached value, so the next get() reads again. */
export function forgetCachedSecrets(): void {
  cache.clear();
}
