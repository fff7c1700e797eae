/**
 * What is special to select: its channel rule. An index the input does not have is a ConfigError
 * naming the stage when the pipeline is declared (before any kernel exists).
 */
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../errors.ts';
import { pipeline } from '../../pipeline.ts';

function configError(body: () => unknown): ConfigError {
  try {
    body();
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('select', () => {
  it('outputs one channel per index, in order, repeats allowed', () => {
    const spec = pipeline({ channels: 3 }).select({ channels: [2, 0, 2] });
    expect(spec.outChannels).toBe(3);
    const y = spec.create().process(Float32Array.of(1, 2, 3, 4, 5, 6));
    expect([...y]).toEqual([3, 1, 3, 6, 4, 6]);
  });

  it('refuses an index at or beyond the input channel count, naming the stage and the index', () => {
    const error = configError(() => pipeline({ channels: 3 }).select({ channels: [0, 3, 7, 3] }));
    expect(error.stage).toBe('select');
    expect(error.message).toBe("select needs channel indexes below its input's 3 channel(s), but got 3, 7");
  });

  it('checks against the channels the previous stage outputs', () => {
    const narrowed = pipeline({ channels: 4 }).select({ channels: [3] });
    const error = configError(() => narrowed.select({ channels: [1] }));
    expect(error.message).toBe("select needs channel indexes below its input's 1 channel(s), but got 1");
    expect(narrowed.select({ channels: [0, 0] }).outChannels).toBe(2);
  });

  it.each([
    [{ channels: [] }, 'an empty list'],
    [{ channels: [-1] }, 'a negative index'],
    [{ channels: [1.5] }, 'a fractional index'],
    [{ channels: [0], extra: 1 }, 'an unknown key'],
  ])('refuses %j (%s) when declared', (options, _what) => {
    const error = configError(() => pipeline({ channels: 2 }).select(options as never));
    expect(error.stage).toBe('select');
    expect(error.message).toMatch(/^invalid select options: /);
  });
});
