import type { logCreator } from 'kafkajs';
import type { Logger } from '../logger/logger.ts';
import { redactSecrets } from '../secrets/redact.ts';

// kafkajs's logLevel values, without loading kafkajs to read them.
const KAFKA_ERROR = 1;
const KAFKA_WARN = 2;

const SECRET_FIELD = /pass(word)?|secret|token|sasl|auth(orization)?|credential|signature/i;

/** Drops anything that could hold a credential before a client log line is written. */
export function redactFields(fields: Record<string, unknown>, secrets: readonly string[] = []): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(fields)) {
    if (SECRET_FIELD.test(name)) continue;
    out[name] = typeof value === 'string' ? redactText(value, secrets) : value instanceof Error ? redactText(value.message, secrets) : value;
  }
  return out;
}

/** `text` without the given secrets, nor any secret dspfn has read (core/secrets/redact.ts). */
export function redactText(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) if (secret.length >= 4) out = out.split(secret).join('[redacted]');
  return redactSecrets(out);
}

/**
 * Routes kafkajs's own logs into the dspfn logger (JSON on stderr) instead of its console
 * output. kafkajs INFO is chatty (every join, every connect), so it lands at debug.
 */
export function clientLogCreator(logger: Logger, secrets: readonly string[] = []): logCreator {
  return () =>
    ({ namespace, level, log }) => {
      const { message, timestamp: _timestamp, logger: _name, ...fields } = log;
      // Deliberate: a produce failure fails the batch, and the event source retries it.
      if (message.startsWith('Limiting retries for the idempotent producer')) return;
      const entryLevel = level === KAFKA_ERROR ? 'error' : level === KAFKA_WARN ? 'warn' : 'debug';
      logger.log(entryLevel, `kafka: ${redactText(message, secrets)}`, { component: namespace, ...redactFields(fields, secrets) });
    };
}
