import { describe, expect, it } from 'vitest';
import { ConfigError, ErrorCode } from '../errors.ts';
import { readEnv } from './read-env.ts';
import { envSchema } from './schema.ts';

function failure(env: Record<string, string>): ConfigError {
  try {
    readEnv(env);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('readEnv accepted the environment');
}

describe('readEnv', () => {
  it('types every variable, unset and empty alike', () => {
    const env = readEnv({
      DSPFN_LOG_LEVEL: ' WARN ',
      DSPFN_KAFKA_TLS: 'yes',
      DSPFN_STATE_TTL_SECONDS: '1.5',
      DSPFN_KAFKA_REQUEST_TIMEOUT_MS: '5000',
      DSPFN_KAFKA_PASSWORD: ' keep spaces ',
      DSPFN_STATE: '',
      DSPFN_SINK: 'Kafka',
      OTHER: 'ignored',
    });
    expect(env).toEqual({
      DSPFN_LOG_LEVEL: 'warn',
      DSPFN_KAFKA_TLS: true,
      DSPFN_STATE_TTL_SECONDS: 1.5,
      DSPFN_KAFKA_REQUEST_TIMEOUT_MS: 5000,
      DSPFN_KAFKA_PASSWORD: ' keep spaces ',
      DSPFN_SINK: 'kafka',
    });
    expect(readEnv({})).toEqual({});
  });

  it('fails on a typo in DSPFN_LOG_LEVEL instead of logging at info', () => {
    const error = failure({ DSPFN_LOG_LEVEL: 'verbose' });
    expect(error.code).toBe(ErrorCode.Config);
    expect(error.message).toBe('DSPFN_LOG_LEVEL must be one of debug, info, warn, error, silent');
  });

  it('names every bad variable and never echoes a value', () => {
    const secret = 'hunter2-super-secret';
    const error = failure({
      DSPFN_KAFKA_AUTH: secret,
      DSPFN_KAFKA_TLS: secret,
      DSPFN_KAFKA_REQUEST_TIMEOUT_MS: secret,
      DSPFN_STATE_TTL_SECONDS: secret,
      DSPFN_SINK: secret,
      DSPFN_BACKEND: secret,
      DSPFN_SIMD: secret,
      DSPFN_DEBUG: secret,
    });
    for (const name of ['DSPFN_KAFKA_AUTH', 'DSPFN_KAFKA_TLS', 'DSPFN_KAFKA_REQUEST_TIMEOUT_MS', 'DSPFN_STATE_TTL_SECONDS', 'DSPFN_SINK', 'DSPFN_BACKEND', 'DSPFN_SIMD', 'DSPFN_DEBUG']) {
      expect(error.message).toContain(name);
    }
    expect(error.message).not.toContain('hunter2');
    expect(JSON.stringify(error)).not.toContain('hunter2');
    expect(String(error.cause ?? '')).not.toContain('hunter2');
  });

  it('reads only the variables asked for', () => {
    expect(readEnv({ DSPFN_LOG_LEVEL: 'verbose', AWS_REGION: 'eu-west-1' }, ['AWS_REGION'])).toEqual({ AWS_REGION: 'eu-west-1' });
    expect(() => readEnv({ DSPFN_LOG_LEVEL: 'verbose' }, ['DSPFN_LOG_LEVEL'])).toThrow(/DSPFN_LOG_LEVEL/);
  });

  it('describes every variable it knows', () => {
    for (const [name, schema] of Object.entries(envSchema.shape)) {
      expect(schema.description, name).toBeTruthy();
    }
  });
  it('lets a variable join its group by its name alone (Kafka: DSPFN_KAFKA_*, DSPFN_MSK_*, the region)', async () => {
    const { KAFKA_ENV } = await import('../kafka/connection.ts');
    expect([...KAFKA_ENV].sort()).toEqual(
      Object.keys(envSchema.shape).filter((name) => name.startsWith('DSPFN_KAFKA_') || name.startsWith('DSPFN_MSK_') || name.endsWith('_REGION')).sort(),
    );
    expect(KAFKA_ENV).toContain('DSPFN_KAFKA_PASSWORD');
    expect(KAFKA_ENV).not.toContain('DSPFN_STATE');
  });
});
