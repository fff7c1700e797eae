import { ConfigError } from '../errors.ts';

/**
 * A function's entry in the generated serverless.yml (templates/project/serverless.yml), and its
 * insertion into the `functions:` block. Text, not a YAML round trip: a parse and dump would drop
 * every comment of the file the user edits.
 */

export type Trigger = 'msk' | 'kafka';
export const TRIGGERS: readonly Trigger[] = ['msk', 'kafka'];

// osls loads variable files with require(); this one turns "a,b" parameters into lists.
const PARAMS = '${file(./node_modules/dspfn/dist/deploy/params.cjs)';

function mskEvent(name: string, topic: string): string[] {
  return [
    '      - msk:',
    '          arn:',
    '            Ref: MskClusterArn',
    `          topic: ${topic}`,
    '          batchSize: ${param:batchSize}',
    '          maximumBatchingWindow: ${param:maximumBatchingWindow}',
    '          startingPosition: ${param:startingPosition}',
    '          # Immutable once created; a new id starts from startingPosition, not the old offsets.',
    `          consumerGroupId: \${self:service}-\${sls:stage}-${name}`,
  ];
}

function kafkaEvent(name: string, topic: string): string[] {
  return [
    '      - kafka:',
    `          bootstrapServers: ${PARAMS}:kafkaBootstrapServers}`,
    '          accessConfigurations:',
    '            saslScram512Auth:',
    '              - ${param:kafkaScramSecretArn}',
    `            vpcSubnet: ${PARAMS}:kafkaSubnetIds}`,
    `            vpcSecurityGroup: ${PARAMS}:kafkaSecurityGroupIds}`,
    `          topic: ${topic}`,
    '          batchSize: ${param:batchSize}',
    '          maximumBatchingWindow: ${param:maximumBatchingWindow}',
    '          startingPosition: ${param:startingPosition}',
    `          consumerGroupId: \${self:service}-\${sls:stage}-${name}`,
  ];
}

export interface FunctionEntry {
  /** A schedule event every minute: the idle tick of a windowed function. */
  readonly tick?: boolean;
  name: string;
  description: string;
  topic: string;
  triggers: readonly Trigger[];
}

/** The entry under `functions:` (two-space indented), ending with a newline. */
export function functionEntry(entry: FunctionEntry): string {
  const lines = [
    `  ${entry.name}:`,
    `    handler: functions/${entry.name}/handler.handler`,
    `    description: ${JSON.stringify(entry.description)}`,
    '    package:',
    `      artifact: \${self:custom.artifactDir}/${entry.name}.zip`,
    '    events:',
    ...entry.triggers.flatMap((trigger) => (trigger === 'msk' ? mskEvent(entry.name, entry.topic) : kafkaEvent(entry.name, entry.topic))),
    // Windows with an idleTimeout: the tick that closes the windows of partitions gone quiet.
    ...(entry.tick ? ['      - schedule: rate(1 minute)'] : []),
  ];
  return lines.join('\n') + '\n';
}

const TOP_LEVEL_KEY = /^[A-Za-z_][\w-]*:/;

/**
 * serverless.yml with the entry added at the end of its `functions:` block; undefined when the
 * file has no top-level `functions:` (the caller then prints the entry for the user to place).
 */
export function addFunctionEntry(yaml: string, name: string, entry: string): string | undefined {
  const lines = yaml.split('\n');
  const start = lines.findIndex((line) => /^functions:\s*(#.*)?$/.test(line));
  if (start < 0) return undefined;
  let end = lines.findIndex((line, i) => i > start && TOP_LEVEL_KEY.test(line));
  if (end < 0) end = lines.length;
  if (lines.slice(start + 1, end).some((line) => line.startsWith(`  ${name}:`))) {
    throw new ConfigError(`serverless.yml already has a function "${name}"`);
  }
  // After the block's last non-blank line, so blank lines before the next key stay where they are.
  let at = end;
  while (at > start + 1 && lines[at - 1]!.trim() === '') at--;
  const added = entry.replace(/\n$/, '').split('\n');
  return [...lines.slice(0, at), ...added, ...lines.slice(at)].join('\n');
}
