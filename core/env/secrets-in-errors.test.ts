// A secret put in the wrong place (a token in a URL variable, a password in a mode variable) must
// never come back in an error: configuration errors name the variable or option, never its value.
import { describe, expect, it } from 'vitest';
import { ConfigError, DspfnError, describeError } from '../errors.ts';
import { validateConnection, resolveBrokers } from '../kafka/connection.ts';
import { mskBootstrapBrokers } from '../kafka/msk-brokers.ts';
import { parseOnFailure } from '../local/on-failure.ts';
import { createStateStore, stateStoreFromEnv } from '../state/from-url.ts';
import { readEnv } from './read-env.ts';
import { envSchema } from './schema.ts';

const SECRET = 'AYkQ2xSecretTok3n_with+chars/==';

/** Everything an error could show: message, causes, stack, its JSON. */
async function everythingShown(run: () => unknown): Promise<string> {
  let error: unknown;
  try {
    await run();
  } catch (e) {
    error = e;
  }
  expect(error, 'an error').toBeInstanceOf(DspfnError);
  const parts: string[] = [];
  for (let e: unknown = error; e !== undefined; e = (e as { cause?: unknown }).cause) {
    parts.push(describeError(e), String((e as Error).stack), JSON.stringify(e));
    if (!(e instanceof Error)) break;
  }
  return parts.join('\n');
}

describe('configuration errors never show a value', () => {
  it('every variable of the schema with a secret where a value of another kind belongs', async () => {
    for (const name of Object.keys(envSchema.shape)) {
      try {
        readEnv({ [name]: `  ${SECRET}  ` }, [name as keyof typeof envSchema.shape]);
      } catch (error) {
        expect(error).toBeInstanceOf(ConfigError);
        expect((error as Error).message, name).toContain(name);
        expect(JSON.stringify(error) + (error as Error).message, name).not.toContain(SECRET);
      }
    }
  });

  it('state store specs: unknown forms, broken URLs, Upstash URLs that are not URLs', async () => {
    const specs = [SECRET, `redis://user:${SECRET}@[bad`, `upstash+https://h?token=${SECRET}&other=${SECRET}`, `mongodb://${SECRET}@h`, `upstash+https://${SECRET} x`];
    for (const spec of specs) expect(await everythingShown(() => createStateStore(spec)), spec).not.toContain(SECRET);
    // The token put in the URL variable: the Upstash client would quote the URL it was given.
    for (const url of [SECRET, `ftp://${SECRET}`, `https://exa mple.com/${SECRET}`]) {
      const shown = await everythingShown(() => stateStoreFromEnv({ DSPFN_STATE: 'upstash', UPSTASH_REDIS_REST_URL: url, UPSTASH_REDIS_REST_TOKEN: 't' }).load(['k']));
      expect(shown, url).toContain('UPSTASH_REDIS_REST_URL');
      expect(shown, url).not.toContain(SECRET);
    }
  });

  it('Kafka settings: a cluster ARN that is not one, an empty broker list, an on-failure destination', async () => {
    expect(await everythingShown(() => validateConnection({ clusterArn: SECRET }))).not.toContain(SECRET);
    expect(await everythingShown(() => mskBootstrapBrokers(SECRET, 'iam', true))).not.toContain(SECRET);
    expect(await everythingShown(() => resolveBrokers({ brokers: ' , ' }))).toMatch(/DSPFN_KAFKA_BROKERS/);
    expect(await everythingShown(() => parseOnFailure(SECRET, ['in']))).not.toContain(SECRET);
  });
});
