import type { GetBootstrapBrokersCommand, GetBootstrapBrokersResponse } from '@aws-sdk/client-kafka';
import { ConfigError, describeError } from '../errors.ts';
import type { KafkaAuthMode } from './auth.ts';

/** The one call dspfn makes to the MSK control plane; injectable so tests need no AWS. */
export interface BootstrapBrokersClient {
  send(command: GetBootstrapBrokersCommand): Promise<GetBootstrapBrokersResponse>;
}

type BrokerField = keyof GetBootstrapBrokersResponse;

/**
 * Private listeners first: a Lambda function reaches MSK inside the VPC. Public and multi-VPC
 * strings are the fallback for clusters that only expose those (a laptop, another VPC).
 */
function fieldsFor(auth: KafkaAuthMode, tls: boolean): BrokerField[] {
  switch (auth) {
    case 'iam':
      return ['BootstrapBrokerStringSaslIam', 'BootstrapBrokerStringPublicSaslIam', 'BootstrapBrokerStringVpcConnectivitySaslIam'];
    case 'scram-sha-512':
    case 'scram-sha-256':
      return ['BootstrapBrokerStringSaslScram', 'BootstrapBrokerStringPublicSaslScram', 'BootstrapBrokerStringVpcConnectivitySaslScram'];
    case 'plain':
      throw new ConfigError('Amazon MSK does not offer SASL/PLAIN: use DSPFN_KAFKA_AUTH=iam or scram-sha-512 with DSPFN_MSK_CLUSTER_ARN');
    case 'none':
      return tls
        ? ['BootstrapBrokerStringTls', 'BootstrapBrokerStringPublicTls', 'BootstrapBrokerStringVpcConnectivityTls']
        : ['BootstrapBrokerString'];
  }
}

export function regionOfArn(arn: string): string | undefined {
  const parts = arn.split(':');
  return parts[0] === 'arn' && parts[2] === 'kafka' && parts[3] ? parts[3] : undefined;
}

export function isMskClusterArn(arn: string): boolean {
  return /^arn:aws[\w-]*:kafka:[\w-]+:\d{12}:cluster\/.+/.test(arn);
}

/** Picks the broker string that matches the auth mode from a GetBootstrapBrokers answer. */
export function pickBootstrapBrokers(response: GetBootstrapBrokersResponse, auth: KafkaAuthMode, tls: boolean, clusterArn: string): string[] {
  const fields = fieldsFor(auth, tls);
  for (const field of fields) {
    const value = response[field];
    if (typeof value === 'string' && value.trim() !== '') return splitBrokers(value);
  }
  const available = (Object.keys(response) as BrokerField[]).filter((f) => f.startsWith('BootstrapBrokerString') && response[f]);
  throw new ConfigError(
    `MSK cluster ${clusterArn} has no ${fields[0]} broker string, so auth "${auth}"${tls ? ' over TLS' : ''} is not enabled on it` +
      ` (it offers: ${available.join(', ') || 'none'}); set DSPFN_KAFKA_AUTH / DSPFN_KAFKA_TLS to match the cluster`,
  );
}

export function splitBrokers(list: string | readonly string[]): string[] {
  const items = typeof list === 'string' ? list.split(',') : list;
  return items.map((b) => b.trim()).filter((b) => b !== '');
}

/** GetBootstrapBrokers for a cluster ARN (needs kafka:GetBootstrapBrokers). */
export async function mskBootstrapBrokers(
  clusterArn: string,
  auth: KafkaAuthMode,
  tls: boolean,
  options: { client?: BootstrapBrokersClient; region?: string } = {},
): Promise<string[]> {
  if (!isMskClusterArn(clusterArn)) {
    throw new ConfigError('the MSK cluster ARN (DSPFN_MSK_CLUSTER_ARN) is not an MSK cluster ARN (arn:aws:kafka:<region>:<account>:cluster/<name>/<uuid>)');
  }
  // Loaded on demand: most functions never look a cluster up, and the SDK costs cold-start time.
  const sdk = await import('@aws-sdk/client-kafka');
  const client = options.client ?? new sdk.KafkaClient({ region: options.region ?? regionOfArn(clusterArn) });
  let response: GetBootstrapBrokersResponse;
  try {
    response = await client.send(new sdk.GetBootstrapBrokersCommand({ ClusterArn: clusterArn }));
  } catch (error) {
    throw new ConfigError(`cannot get the bootstrap brokers of MSK cluster ${clusterArn}: ${describeError(error)}`, { cause: error });
  }
  return pickBootstrapBrokers(response, auth, tls, clusterArn);
}
