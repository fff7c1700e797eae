import type { SASLOptions } from 'kafkajs';
import { AUTH_MODES } from '../env/schema.ts';
import { ConfigError } from '../errors.ts';
import { packageExports } from '../lazy-import.ts';

export { AUTH_MODES };
export type KafkaAuthMode = (typeof AUTH_MODES)[number];

export interface AuthToken {
  token: string;
  /** Epoch milliseconds. */
  expiryTime: number;
}

/** Signs an MSK IAM token for a region (aws-msk-iam-sasl-signer-js by default). */
export type AuthTokenProvider = (region: string) => Promise<AuthToken>;

async function signMskToken(region: string): Promise<AuthToken> {
  // Loaded on demand: it pulls in the AWS credential chain, which only IAM clusters need.
  const { generateAuthToken } = packageExports(await import('aws-msk-iam-sasl-signer-js'));
  return generateAuthToken({ region });
}

/**
 * kafkajs asks for a token on every new connection; a token lives 15 minutes, so one is reused
 * until a minute before it expires instead of signing (and resolving credentials) each time.
 */
export function cachedTokenProvider(region: string, provider: AuthTokenProvider = signMskToken): () => Promise<{ value: string }> {
  let current: AuthToken | undefined;
  let pending: Promise<AuthToken> | undefined;
  return async () => {
    if (current && current.expiryTime - Date.now() > 60_000) return { value: current.token };
    pending ??= provider(region).finally(() => {
      pending = undefined;
    });
    current = await pending;
    return { value: current.token };
  };
}

/**
 * The password stays readable for kafkajs but is not enumerable, so JSON.stringify, util.inspect
 * and object spreads of the config (in logs, error reports, snapshots) never carry it.
 */
function withHiddenPassword<T extends { username: string }>(sasl: T, password: string): T & { password: string } {
  return Object.defineProperty(sasl, 'password', { value: password, enumerable: false, writable: false }) as T & { password: string };
}

export interface SaslInput {
  auth: KafkaAuthMode;
  username?: string | undefined;
  password?: string | undefined;
  region?: string | undefined;
  tokenProvider?: AuthTokenProvider | undefined;
}

export function saslOptions(input: SaslInput): SASLOptions | undefined {
  switch (input.auth) {
    case 'none':
      return undefined;
    case 'iam': {
      if (!input.region) {
        throw new ConfigError('MSK IAM auth needs a region: set AWS_REGION or use DSPFN_MSK_CLUSTER_ARN (its region is used)');
      }
      return { mechanism: 'oauthbearer', oauthBearerProvider: cachedTokenProvider(input.region, input.tokenProvider) };
    }
    case 'plain':
    case 'scram-sha-256':
    case 'scram-sha-512': {
      // Name the missing variable, never echo a value: these messages reach logs.
      if (!input.username) throw new ConfigError(`Kafka auth "${input.auth}" needs a username (DSPFN_KAFKA_USERNAME)`);
      if (!input.password) throw new ConfigError(`Kafka auth "${input.auth}" needs a password (DSPFN_KAFKA_PASSWORD)`);
      return withHiddenPassword({ mechanism: input.auth, username: input.username }, input.password) as SASLOptions;
    }
  }
}
