import { SecretError } from '../errors.ts';
import { registerSecret } from './redact.ts';
import { secretsManagerSecret, type SecretSource } from './source.ts';

/**
 * Kafka credentials as the Lambda Kafka event source mapping keeps them in Secrets Manager, so
 * one secret serves both the trigger and the function's own clients:
 *   SASL/SCRAM, SASL/PLAIN       {"username": "…", "password": "…"}
 *   mutual TLS                   {"certificate": "-----BEGIN CERTIFICATE-----…", "privateKey": "…", "privateKeyPassword"?: "…"}
 */
export type KafkaSecret =
  | { kind: 'sasl'; username: string; password: string }
  | { kind: 'certificate'; certificate: string; privateKey: string; privateKeyPassword?: string };

function field(json: Record<string, unknown>, name: string): string | undefined {
  const value = json[name];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** Parses the secret's text; errors name the secret and the fields it has, never a value. */
export function parseKafkaSecret(text: string, description: string): KafkaSecret {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    // JSON.parse's own message quotes the text it choked on: never pass it on.
    throw new SecretError(`${description} is not JSON; the Kafka secret format is {"username": …, "password": …} or {"certificate": …, "privateKey": …}`);
  }
  if (json === null || typeof json !== 'object' || Array.isArray(json)) {
    throw new SecretError(`${description} is not a JSON object; the Kafka secret format is {"username": …, "password": …} or {"certificate": …, "privateKey": …}`);
  }
  const object = json as Record<string, unknown>;
  const username = field(object, 'username');
  const password = field(object, 'password');
  if (username !== undefined && password !== undefined) {
    registerSecret(password);
    return { kind: 'sasl', username, password };
  }
  const certificate = field(object, 'certificate');
  const privateKey = field(object, 'privateKey');
  if (certificate !== undefined && privateKey !== undefined) {
    registerSecret(privateKey);
    const privateKeyPassword = field(object, 'privateKeyPassword');
    if (privateKeyPassword !== undefined) registerSecret(privateKeyPassword);
    return { kind: 'certificate', certificate, privateKey, ...(privateKeyPassword !== undefined ? { privateKeyPassword } : {}) };
  }
  const present = Object.keys(object).sort().join(', ') || 'none';
  throw new SecretError(`${description} holds neither username and password nor certificate and privateKey (fields present: ${present})`);
}

/** The secret behind DSPFN_KAFKA_SECRET_ARN, read once per container. */
export function kafkaSecretSource(secretArn: string): SecretSource {
  return secretsManagerSecret(secretArn);
}

export async function readKafkaSecret(source: SecretSource): Promise<KafkaSecret> {
  return parseKafkaSecret(await source.get(), source.description);
}
