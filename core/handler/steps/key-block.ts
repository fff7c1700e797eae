import type { Pipeline } from '../../dsp/pipeline.ts';
import type { DecodedRecord } from './decode.ts';

/**
 * A key's records of a batch as one block: their samples back to back (offset order), run through
 * the key's pipeline in one call. Only for pipelines whose stages all keep the frame rate, so output
 * frame i belongs to input frame i: record r's output is frames [start(r), start(r + 1)) of the
 * block's output, and its time stays its own.
 *
 * The block costs one copy of the samples when the key has several records (none for one), and
 * one output array per key instead of one per record; each record's output is a view of it.
 */
export function runBlock<M>(pipeline: Pipeline, items: readonly DecodedRecord<M>[], from = 0): Float32Array {
  const count = items.length - from;
  if (count === 1) return pipeline.process(items[from]!.samples);
  let length = 0;
  for (let i = from; i < items.length; i++) length += items[i]!.samples.length;
  const block = new Float32Array(length);
  let at = 0;
  for (let i = from; i < items.length; i++) {
    const samples = items[i]!.samples;
    block.set(samples, at);
    at += samples.length;
  }
  return pipeline.process(block);
}

/** Output frames of each record of a block run: `outChannels` values per input frame. */
export function outputView(output: Float32Array, inputAt: number, inputLength: number, inChannels: number, outChannels: number): Float32Array {
  const first = (inputAt / inChannels) * outChannels;
  return output.subarray(first, first + (inputLength / inChannels) * outChannels);
}
