/**
 * What is special to the window features natively: C's check refuses what the options and channel
 * rules refuse (the binding can be called without the TypeScript schema), and snr's logarithm gives
 * TypeScript's bits on every path across the whole float32 range (window 1: every frame's ratio is
 * its own, from subnormals and exact zeros to 3e38).
 */
import assert from 'node:assert/strict';
import { jsBackend } from '../../../backend.ts';
import { assertSameSamples, runWhole } from '../../../../../test/conformance/checks.ts';
import { addon, native, onPath, paths } from '../../../../../test/conformance/native.ts';
import { describe, it } from '../../../../../test/conformance/runner.ts';
import { mulberry32 } from '../../../../testing/random.ts';
import { kindOf } from '../../catalogue.ts';

function refusal(stage: string, channels: number, params: number[]): string {
  try {
    addon.create(kindOf(stage), channels, Float64Array.from(params));
  } catch (error) {
    return (error as Error).message;
  }
  assert.fail(`${stage} ${JSON.stringify(params)} on ${channels} channel(s) was accepted`);
}

describe('window features: native', () => {
  it('check refuses bad windows, thresholds, channel counts and window × channels', () => {
    assert.match(refusal('waveformLength', 1, [0]), /^waveformLength needs params \[window\]/);
    assert.match(refusal('linearSlope', 1, [1]), /^linearSlope needs params \[window\], a whole window in 2\.\./);
    assert.match(refusal('willisonAmplitude', 1, [8, -1]), /^willisonAmplitude needs params \[window, threshold\]/);
    assert.match(refusal('slopeSignChange', 1, [8, Number.NaN]), /^slopeSignChange needs params/);
    assert.match(refusal('snr', 3, [8]), /^snr needs 2-channel interleaved input/);
    assert.equal(refusal('waveformLength', 17, [1048576]), 'waveformLength needs window × channels at most 16777216, but it is 1048576 × 17');
  });

  it('snr: the logarithm of every path equals TypeScript across the float32 range', () => {
    const random = mulberry32(12);
    const frames = 4000;
    const input = new Float32Array(2 * frames);
    const special = [0, -0, 1e-45, 1e-40, 1.1754944e-38, 1, 3.4028235e38];
    for (let i = 0; i < input.length; i++) {
      input[i] = i < 2 * special.length ** 2 ? special[(i & 1) === 0 ? (i >> 1) % special.length : Math.floor((i >> 1) / special.length)]! : (random() < 0.5 ? -1 : 1) * 2 ** (random() * 276 - 149);
    }
    const spec = { name: 'snr', params: { window: 1 } } as const;
    const expected = runWhole(jsBackend.createKernel(spec, 2), input);
    for (const path of paths) {
      onPath(path, () => assertSameSamples(runWhole(native.createKernel(spec, 2), input), expected, `snr log on ${path}`));
    }
  });
});
