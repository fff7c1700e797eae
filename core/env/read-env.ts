import type * as z from 'zod';
import { ConfigError } from '../errors.ts';
import { envSchema, type DspfnEnv, type EnvName } from './schema.ts';

export type RawEnv = Readonly<Record<string, string | undefined>>;

/**
 * Validates the environment against the schema (core/env/schema.ts) and returns it typed. Call it
 * once where a process or a function starts and pass the result down. With `names`, only those
 * variables are read (a library call that needs two of them is not failed by a third).
 *
 * An invalid value is a ConfigError naming every bad variable and what it must be, never the value
 * (it may be a secret placed in the wrong variable).
 */
export function readEnv(env?: RawEnv): DspfnEnv;
export function readEnv<K extends EnvName>(env: RawEnv | undefined, names: readonly K[]): Pick<DspfnEnv, K>;
export function readEnv(env: RawEnv = process.env, names?: readonly EnvName[]): Partial<DspfnEnv> {
  const keys = names ?? (Object.keys(envSchema.shape) as EnvName[]);
  const present: Record<string, string> = {};
  for (const name of keys) {
    const value = env[name];
    if (value !== undefined && value !== '') present[name] = value;
  }
  const schema: z.ZodType<Partial<DspfnEnv>> = names
    ? envSchema.pick(Object.fromEntries(names.map((n) => [n, true])) as Record<EnvName, true>)
    : envSchema;
  const result = schema.safeParse(present);
  if (result.success) return result.data;
  throw new ConfigError(describeIssues(result.error));
}

function describeIssues(error: z.ZodError): string {
  const problems = new Map<string, string>();
  for (const issue of error.issues) {
    const name = String(issue.path[0] ?? 'environment');
    if (!problems.has(name)) problems.set(name, `${name} ${issue.message}`);
  }
  return [...problems.values()].join('; ');
}
