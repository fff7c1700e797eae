'use strict';
/**
 * List-valued parameters for serverless.yml (`${file(./core/deploy/params.cjs):name}`).
 *
 * `--param key=value` can only carry a string, and a stage block under `params:` may hold a real
 * list; both must work, so a list parameter is accepted as a YAML list or as a comma-separated
 * string ("b-1:9096,b-2:9096"). CommonJS because osls loads variable files with require().
 */

function toList(value, name) {
  const items = Array.isArray(value) ? value : String(value).split(',');
  const list = items.map((item) => String(item).trim()).filter(Boolean);
  if (list.length === 0) throw new Error(`parameter "${name}" is empty; give one value or a comma-separated list`);
  return list;
}

function list(name) {
  return async ({ resolveVariable }) => toList(await resolveVariable(`param:${name}`), name);
}

/** Optional list: absent or empty gives null, which osls treats as "not configured". */
function optionalList(name) {
  return async ({ resolveVariable }) => {
    const value = await resolveVariable(`param:${name}, null`);
    if (value == null || value === '' || (Array.isArray(value) && value.length === 0)) return null;
    return toList(value, name);
  };
}

module.exports = {
  kafkaBootstrapServers: list('kafkaBootstrapServers'),
  // The Kafka sink takes the same brokers from one environment variable.
  kafkaBootstrapServersCsv: async (ctx) => (await list('kafkaBootstrapServers')(ctx)).join(','),
  kafkaSubnetIds: list('kafkaSubnetIds'),
  kafkaSecurityGroupIds: list('kafkaSecurityGroupIds'),
  /**
   * The functions' own VPC attachment, needed only when they open connections into a VPC
   * themselves (DSPFN_SINK=kafka to MSK, Redis in ElastiCache). The event source mappings never
   * need it. Without functionSubnetIds the functions stay outside any VPC, so Upstash (public
   * HTTPS) works without a NAT gateway.
   */
  functionVpc: async (ctx) => {
    const subnetIds = await optionalList('functionSubnetIds')(ctx);
    if (!subnetIds) return null;
    const securityGroupIds = await optionalList('functionSecurityGroupIds')(ctx);
    if (!securityGroupIds) throw new Error('parameter "functionSubnetIds" is set, so "functionSecurityGroupIds" is needed too');
    return { subnetIds, securityGroupIds };
  },
};
