import { describe, expect, it } from 'vitest';
import { ConfigError } from '../errors.ts';
import { formatDuration, parseDuration } from './duration.ts';
import { windowSpec } from './spec.ts';

describe('durations', () => {
  it('reads milliseconds and text with units', () => {
    expect(parseDuration(1500, 'x')).toBe(1500);
    expect(parseDuration('500ms', 'x')).toBe(500);
    expect(parseDuration('30s', 'x')).toBe(30_000);
    expect(parseDuration('1m', 'x')).toBe(60_000);
    expect(parseDuration('1h', 'x')).toBe(3_600_000);
    expect(parseDuration('1d', 'x')).toBe(86_400_000);
    expect(parseDuration('1m30s', 'x')).toBe(90_000);
    expect(parseDuration('1.5s', 'x')).toBe(1500);
    expect(formatDuration(90_000)).toBe('1m30s');
    expect(formatDuration(0)).toBe('0ms');
  });

  it('refuses anything else, naming the option', () => {
    for (const bad of ['', '10', '1 minute', '5x', '-1s', 's']) expect(() => parseDuration(bad, 'window.size')).toThrow(/window.size ".*" is not a duration/);
    expect(() => parseDuration(-1, 'gap')).toThrow(/gap must be a whole number of milliseconds/);
    expect(() => parseDuration(1.5, 'gap')).toThrow(ConfigError);
    expect(() => parseDuration('0.5ms', 'gap')).toThrow(ConfigError);
  });
});

describe('windowSpec', () => {
  it('normalises tumbling, hopping and session windows', () => {
    expect(windowSpec({ window: { type: 'tumbling', size: '1m' }, aggregate: ['mean', 'max', 'mean'], allowedLateness: '10s' })).toMatchObject({
      type: 'tumbling', size: 60_000, advance: 60_000, aggregates: ['mean', 'max'], allowedLateness: 10_000, idleTimeout: undefined, channels: 1,
    });
    expect(windowSpec({ window: { type: 'hopping', size: '1m', advance: '15s' }, aggregate: ['count'] }, 3)).toMatchObject({ size: 60_000, advance: 15_000, channels: 3, allowedLateness: 0 });
    expect(windowSpec({ window: { type: 'session', gap: '30s' }, aggregate: ['sum'], idleTimeout: '5m' })).toMatchObject({ gap: 30_000, idleTimeout: 300_000 });
  });

  it('keys stored state to the window shape only: aggregates and lateness may change', () => {
    const base = windowSpec({ window: { type: 'tumbling', size: '1m' }, aggregate: ['mean'] });
    expect(windowSpec({ window: { type: 'tumbling', size: 60_000 }, aggregate: ['max', 'rms'], allowedLateness: '5s' }).configHash).toBe(base.configHash);
    expect(windowSpec({ window: { type: 'tumbling', size: '2m' }, aggregate: ['mean'] }).configHash).not.toBe(base.configHash);
    expect(windowSpec({ window: { type: 'hopping', size: '1m', advance: '1m' }, aggregate: ['mean'] }).configHash).not.toBe(base.configHash);
    expect(windowSpec({ window: { type: 'tumbling', size: '1m' }, aggregate: ['mean'] }, 2).configHash).not.toBe(base.configHash);
  });

  it('rejects unknown or impossible options at cold start', () => {
    const cases: Array<[unknown, RegExp]> = [
      [{ window: { type: 'sliding', size: '1m' }, aggregate: ['mean'] }, /invalid window options: window.type/],
      [{ window: { type: 'tumbling', size: '1m', gap: '1s' }, aggregate: ['mean'] }, /invalid window options: window/],
      [{ window: { type: 'tumbling', size: '1m' }, aggregate: ['median'] }, /aggregate/],
      [{ window: { type: 'tumbling', size: '1m' }, aggregate: [] }, /aggregate/],
      [{ window: { type: 'tumbling', size: '1m' }, aggregate: ['mean'], lateness: 1 }, /lateness/],
      [{ window: { type: 'tumbling', size: 0 }, aggregate: ['mean'] }, /window.size must be between 1 ms and 366 days/],
      [{ window: { type: 'hopping', size: '1m', advance: '2m' }, aggregate: ['mean'] }, /must not exceed window.size/],
      [{ window: { type: 'hopping', size: '1h', advance: '1s' }, aggregate: ['mean'] }, /each value would land in that many windows/],
      [{ window: { type: 'session', gap: 'soon' }, aggregate: ['mean'] }, /window.gap "soon" is not a duration/],
    ];
    for (const [options, reason] of cases) expect(() => windowSpec(options as never)).toThrow(reason);
    expect(() => windowSpec({ window: { type: 'session', gap: 1 }, aggregate: ['mean'] }, 0)).toThrow(/1 to 64 channels/);
  });
});
