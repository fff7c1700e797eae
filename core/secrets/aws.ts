import type { GetSecretValueCommandOutput, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { GetParameterCommandOutput, SSMClient } from '@aws-sdk/client-ssm';
import { describeError, SecretError } from '../errors.ts';
import { packageExports } from '../lazy-import.ts';

/**
 * The two AWS reads dspfn makes for secrets, with the AWS SDK v3. The SDK modules are imported on
 * first use, so they land in an on-demand chunk of a function bundle: a function whose secrets are
 * not in AWS never compiles them. Endpoints follow the SDK's own configuration
 * (AWS_ENDPOINT_URL_SECRETS_MANAGER, AWS_ENDPOINT_URL_SSM, AWS_ENDPOINT_URL), which is how tests
 * point them at a local stand-in of the AWS API.
 */

// Bounded: at cold start a blocked network (a function in a VPC without a route to the service)
// must fail the init with a reason, not hang until the Lambda timeout.
const REQUEST_HANDLER = { connectionTimeout: 3_000, requestTimeout: 5_000 };

const secretsClients = new Map<string, Promise<{ client: SecretsManagerClient; lib: typeof import('@aws-sdk/client-secrets-manager') }>>();
const ssmClients = new Map<string, Promise<{ client: SSMClient; lib: typeof import('@aws-sdk/client-ssm') }>>();

/** The region an ARN names (`arn:aws:secretsmanager:eu-west-1:…`), else the SDK's default. */
export function regionOfArn(id: string): string | undefined {
  const parts = id.split(':');
  return parts[0] === 'arn' && parts[3] ? parts[3] : undefined;
}

function secretsClient(region: string | undefined) {
  const key = region ?? '';
  let entry = secretsClients.get(key);
  if (!entry) {
    entry = import('@aws-sdk/client-secrets-manager').then((ns) => {
      const lib = packageExports(ns);
      return { lib, client: new lib.SecretsManagerClient({ ...(region ? { region } : {}), requestHandler: REQUEST_HANDLER }) };
    });
    // A failed load is retried by the next read rather than remembered.
    entry.catch(() => secretsClients.delete(key));
    secretsClients.set(key, entry);
  }
  return entry;
}

function ssmClient(region: string | undefined) {
  const key = region ?? '';
  let entry = ssmClients.get(key);
  if (!entry) {
    entry = import('@aws-sdk/client-ssm').then((ns) => {
      const lib = packageExports(ns);
      return { lib, client: new lib.SSMClient({ ...(region ? { region } : {}), requestHandler: REQUEST_HANDLER }) };
    });
    entry.catch(() => ssmClients.delete(key));
    ssmClients.set(key, entry);
  }
  return entry;
}

/** Why a read failed, from the SDK error's name and message (AWS never puts secret values in them). */
function reason(error: unknown): string {
  const name = error instanceof Error ? error.name : '';
  const raw = describeError(error);
  // Some AWS errors (SSM's ParameterNotFound) carry no message; the SDK then says "UnknownError".
  const text = raw === 'UnknownError' || raw === '' ? '' : raw;
  const network = /\b(TimeoutError|ECONNREFUSED|ENOTFOUND|EAI_AGAIN|ETIMEDOUT|ECONNRESET)\b|socket hang up/.test(`${name} ${raw}`);
  const hint = network ? ' (no answer from the service: a function in a VPC needs a VPC endpoint or a NAT gateway to reach it)' : '';
  const label = name && !text.startsWith(name) ? name : '';
  return [label, text].filter(Boolean).join(': ') + hint;
}

/** GetSecretValue (needs secretsmanager:GetSecretValue, and kms:Decrypt for a customer-managed key). */
export async function readSecretString(secretId: string): Promise<string> {
  let out: GetSecretValueCommandOutput;
  try {
    const { client, lib } = await secretsClient(regionOfArn(secretId));
    out = await client.send(new lib.GetSecretValueCommand({ SecretId: secretId }));
  } catch (error) {
    throw new SecretError(`could not read Secrets Manager secret ${secretId}: ${reason(error)}`);
  }
  if (typeof out.SecretString !== 'string') {
    throw new SecretError(`Secrets Manager secret ${secretId} holds binary data (SecretBinary); dspfn reads a JSON text secret`);
  }
  return out.SecretString;
}

/** GetParameter with decryption (needs ssm:GetParameter, and kms:Decrypt for a SecureString). */
export async function readParameter(name: string): Promise<string> {
  let out: GetParameterCommandOutput;
  try {
    const { client, lib } = await ssmClient(regionOfArn(name));
    out = await client.send(new lib.GetParameterCommand({ Name: name, WithDecryption: true }));
  } catch (error) {
    throw new SecretError(`could not read SSM parameter ${name}: ${reason(error)}`);
  }
  const value = out.Parameter?.Value;
  if (typeof value !== 'string' || value === '') throw new SecretError(`SSM parameter ${name} is empty`);
  return value;
}
