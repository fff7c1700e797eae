/**
 * select's C `check` validates the packed params completely (the binding can be called
 * without the TypeScript schema): what the schema or the channel rule refuses, C refuses too, with
 * the same words for the channel rule.
 */
import assert from 'node:assert/strict';
import { ConfigError } from '../../../errors.ts';
import { addon, native } from '../../../../test/conformance/native.ts';
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

describe('select: native checks', () => {
  it('select refuses indexes outside the input, empty lists and malformed packing', () => {
    assert.match(refusal('select', 3, [2, 0, 3]).message, /^select needs channel indexes below its input's 3 channel\(s\), but got 3$/);
    assert.match(refusal('select', 3, [1, 1.5]).message, /^select needs channel indexes below/);
    assert.match(refusal('select', 3, [1, -1]).message, /^select needs channel indexes below/);
    assert.match(refusal('select', 3, [0]).message, /^select needs params/);
    assert.match(refusal('select', 3, [2, 0]).message, /^select needs params/);
    assert.doesNotThrow(() => addon.create(kindOf('select'), 3, Float64Array.of(3, 2, 2, 0)));
  });

  it('the refusals are ConfigErrors through the native backend', () => {
    const error = (() => {
      try {
        native.createKernel({ name: 'select', params: { channels: [5] } }, 2);
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    assert.ok(error instanceof ConfigError, String(error));
  });
});
