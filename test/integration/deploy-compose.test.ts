// docker-compose.yml cannot run here (no Docker engine); this checks that it parses and wires the
// services the README promises, and that the Upstash stand-in it runs exists with those flags.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { load } from 'js-yaml';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..');

interface Service {
  image: string;
  ports?: string[];
  environment?: Record<string, string | number>;
  command?: string[];
}

describe('docker-compose.yml', () => {
  const compose = load(readFileSync(join(root, 'docker-compose.yml'), 'utf8')) as { services: Record<string, Service> };

  it('brings Kafka in KRaft mode, Redis, an Upstash REST endpoint and Kafka UI', () => {
    expect(Object.keys(compose.services).sort()).toEqual(['kafka', 'kafka-ui', 'redis', 'upstash']);
    const kafka = compose.services.kafka!;
    expect(kafka.environment).toMatchObject({ KAFKA_PROCESS_ROLES: 'broker,controller', KAFKA_ADVERTISED_LISTENERS: expect.stringContaining('localhost:9092') });
    expect(kafka.ports).toContain('9092:9092');
    expect(compose.services.redis!.ports).toContain('6379:6379');
    expect(compose.services['kafka-ui']!.environment).toMatchObject({ KAFKA_CLUSTERS_0_BOOTSTRAPSERVERS: 'kafka:29092' });
  });

  it('runs the Upstash stand-in from this repository with flags it accepts', () => {
    const command = compose.services.upstash!.command!;
    const script = command[command.indexOf('--import') + 2]!;
    const source = readFileSync(join(root, script), 'utf8');
    for (const flag of command.filter((part) => part.startsWith('--') && part !== '--import')) expect(source).toContain(`"${flag}"`);
    expect(command).toContain('redis://redis:6379');
  });
});
