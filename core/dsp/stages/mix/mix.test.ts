/**
 * What is special to mix: its channel rule. A matrix whose column count is not the input's channel
 * count is a ConfigError naming the stage when the pipeline is declared, and the schema refuses
 * ragged or non-finite matrices.
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

describe('mix', () => {
  it('outputs M·x per frame: rows are outputs, columns inputs', () => {
    const spec = pipeline({ channels: 2 }).mix({ matrix: [[1, 1], [1, -1], [0.5, 0]] });
    expect(spec.outChannels).toBe(3);
    const y = spec.create().process(Float32Array.of(3, 1, -2, 4));
    expect([...y]).toEqual([4, 2, 1.5, 2, -6, -1]);
  });

  it('refuses an input whose channel count is not the matrix column count', () => {
    const error = configError(() => pipeline({ channels: 3 }).mix({ matrix: [[1, 1]] }));
    expect(error.stage).toBe('mix');
    expect(error.message).toBe('mix needs 2-channel input (its matrix has 2 column(s)), but its input has 3 channel(s)');
  });

  it.each([
    [{ matrix: [] }, 'no rows'],
    [{ matrix: [[]] }, 'an empty row'],
    [{ matrix: [[1, 2], [3]] }, 'ragged rows'],
    [{ matrix: [[1, Number.NaN]] }, 'NaN'],
    [{ matrix: [[Number.POSITIVE_INFINITY]] }, 'an infinite coefficient'],
  ])('refuses %j (%s) when declared', (options, _what) => {
    const error = configError(() => pipeline({ channels: 2 }).mix(options as never));
    expect(error.stage).toBe('mix');
    expect(error.message).toMatch(/^invalid mix options: /);
  });
});
