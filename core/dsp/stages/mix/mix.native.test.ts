/**
 * mix's C `check` validates the packed params completely (the binding can be called
 * without the TypeScript schema): what the schema or the channel rule refuses, C refuses too, with
 * the same words for the channel rule.
 */
import assert from 'node:assert/strict';
import { addon } from '../../../../test/conformance/native.ts';
import { describe, it } from '../../../../test/conformance/runner.ts';
import { kindOf } from '../catalogue.ts';

function refusal(stage: string, channels: number, params: number[]): Error {
  try {
    addon.create(kindOf(stage), channels, Float64Array.from(params));
  } catch (error) {
    return error as Error;
  }
  assert.fail(`${stage} ${JSON.stringify(params)} on ${channels} channel(s) was accepted`);
}

describe('mix: native checks', () => {
  it('mix refuses a column count other than the input, ragged rows, non-finite coefficients', () => {
    assert.match(refusal('mix', 3, [1, 2, 1, 1]).message, /^mix needs 2-channel input \(its matrix has 2 column\(s\)\), but its input has 3 channel\(s\)$/);
    assert.match(refusal('mix', 2, [2, 2, 1, 1, 1, 1]).message, /^mix needs every row/);
    assert.match(refusal('mix', 2, [2, 2, 1, 1, 1, 5, 9]).message, /^mix needs every row/);
    assert.match(refusal('mix', 1, [1, 1, Number.NaN]).message, /^mix needs finite/);
    assert.match(refusal('mix', 1, [0, 1, 1]).message, /^mix needs params/);
    assert.doesNotThrow(() => addon.create(kindOf('mix'), 2, Float64Array.of(2, 2, 1, 1, 2, 1, -1)));
  });
});
