import * as z from 'zod';
import { fnv1a64 } from '../dsp/config-hash.ts';
import { ConfigError } from '../errors.ts';
import { zodReason } from '../validation.ts';
import { AGGREGATES, type Aggregate } from './accumulator.ts';
import { parseDuration, type Duration } from './duration.ts';

export type WindowDefinition =
  | { type: 'tumbling'; size: Duration }
  | { type: 'hopping'; size: Duration; advance: Duration }
  | { type: 'session'; gap: Duration };

export interface WindowOptions {
  window: WindowDefinition;
  /** Aggregates of each closed window, besides `count` which is always given. */
  aggregate: readonly Aggregate[];
  /** How far behind the largest event time of a partition its watermark stays. Default 0. */
  allowedLateness?: Duration;
  /** Close the windows of a partition without records for this long (wall clock), on a scheduled tick. */
  idleTimeout?: Duration;
}

/** Normalised, validated options: durations in milliseconds. */
export interface WindowSpec {
  readonly type: 'tumbling' | 'hopping' | 'session';
  /** Window length (tumbling, hopping). */
  readonly size: number;
  /** Distance between window starts (hopping; equals `size` for tumbling). */
  readonly advance: number;
  /** Inactivity that ends a session. */
  readonly gap: number;
  readonly aggregates: readonly Aggregate[];
  readonly allowedLateness: number;
  readonly idleTimeout: number | undefined;
  /** Values per frame (the pipeline's output channels, or the readings' channels). */
  readonly channels: number;
  /** Guards stored window state against a change of window type, size, advance, gap or channels. */
  readonly configHash: bigint;
}

/** Bounds the work per frame (a hopping frame lands in size / advance windows). */
export const MAX_WINDOWS_PER_FRAME = 1000;
const MAX_DURATION = 366 * 86_400_000;

const duration = z.union([z.number(), z.string()]);
const optionsSchema = z.strictObject({
  window: z.discriminatedUnion('type', [
    z.strictObject({ type: z.literal('tumbling'), size: duration }),
    z.strictObject({ type: z.literal('hopping'), size: duration, advance: duration }),
    z.strictObject({ type: z.literal('session'), gap: duration }),
  ]),
  aggregate: z.array(z.enum(AGGREGATES)).min(1),
  allowedLateness: duration.optional(),
  idleTimeout: duration.optional(),
});

function positive(value: Duration, what: string): number {
  const ms = parseDuration(value, what);
  if (ms < 1 || ms > MAX_DURATION) throw new ConfigError(`${what} must be between 1 ms and 366 days, got ${String(value)}`);
  return ms;
}

export function windowSpec(options: WindowOptions, channels = 1): WindowSpec {
  const parsed = optionsSchema.safeParse(options);
  if (!parsed.success) throw new ConfigError(`invalid window options: ${zodReason(parsed.error)}`);
  if (!Number.isInteger(channels) || channels < 1 || channels > 64) throw new ConfigError(`windows need 1 to 64 channels, got ${channels}`);
  const { window } = options;
  let size = 0;
  let advance = 0;
  let gap = 0;
  if (window.type === 'session') gap = positive(window.gap, 'window.gap');
  else {
    size = positive(window.size, 'window.size');
    advance = window.type === 'hopping' ? positive(window.advance, 'window.advance') : size;
    if (advance > size) throw new ConfigError(`window.advance (${advance} ms) must not exceed window.size (${size} ms)`);
    if (size / advance > MAX_WINDOWS_PER_FRAME) {
      throw new ConfigError(`window.size / window.advance is ${Math.ceil(size / advance)}: each value would land in that many windows (at most ${MAX_WINDOWS_PER_FRAME})`);
    }
  }
  const allowedLateness = options.allowedLateness === undefined ? 0 : parseDuration(options.allowedLateness, 'allowedLateness');
  if (allowedLateness > MAX_DURATION) throw new ConfigError('allowedLateness must be at most 366 days');
  const idleTimeout = options.idleTimeout === undefined ? undefined : positive(options.idleTimeout, 'idleTimeout');
  const aggregates = [...new Set(options.aggregate)];
  // Aggregates and lateness are left out: every window keeps all statistics, so they may change.
  const configHash = fnv1a64(JSON.stringify({ v: 1, type: window.type, size, advance, gap, channels }));
  return { type: window.type, size, advance, gap, aggregates, allowedLateness, idleTimeout, channels, configHash };
}
