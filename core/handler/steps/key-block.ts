import type { Pipeline } from '../../dsp/pipeline.ts';
import type { DecodedRecord } from './decode.ts';

/**
 * Where a batch's block outputs live: slices of one slab sized for the whole batch (more slabs
 * only if records are run again after an undo), so a batch allocates one output array instead of
 * one per key. The slab belongs to the batch: records' outputs (and the f32le messages that are
 * views of them, and whatever `output.value` keeps) are never overwritten.
 */
export class OutputSlab {
  private slab: Float32Array;
  private used = 0;

  constructor(values: number) {
    this.slab = uninitialised(values);
  }

  /** `values` floats of the slab, not cleared: the caller writes all of them (runBlock does). */
  take(values: number): Float32Array {
    if (this.used + values > this.slab.length) {
      this.slab = uninitialised(Math.max(values, this.slab.length));
      this.used = 0;
    }
    const view = this.slab.subarray(this.used, this.used + values);
    this.used += values;
    return view;
  }
}

/** Zeroing a batch's worth of outputs costs as much as a kernel pass, and every value is written anyway. */
function uninitialised(values: number): Float32Array {
  const bytes = Buffer.allocUnsafeSlow(values * 4);
  return new Float32Array(bytes.buffer, bytes.byteOffset, values);
}

/** The block of a key with several records: reused from key to key (runBlock is synchronous and reads it only during its call). */
let blockScratch = new Float32Array(0);

/**
 * A key's records of a batch as one block: their samples back to back (offset order), run through
 * the key's pipeline in one call. Only for pipelines whose stages all keep the frame rate, so output
 * frame i belongs to input frame i: record r's output is frames [start(r), start(r + 1)) of the
 * block's output, and its time stays its own.
 *
 * The block is a view of the records' own samples when they lie back to back (one record, or a
 * key's f32le values as the event parser lays them out), else one copy of them into reused memory;
 * no allocation either way: its output is a slice of the batch's slab, and each record's
 * output a view of it.
 */
export function runBlock<M>(pipeline: Pipeline, items: readonly DecodedRecord<M>[], slab: OutputSlab, from = 0): Float32Array {
  const count = items.length - from;
  let block: Float32Array | undefined;
  if (count === 1) block = items[from]!.samples;
  else block = contiguousBlock(items, from);
  if (block === undefined) {
    let length = 0;
    for (let i = from; i < items.length; i++) length += items[i]!.samples.length;
    if (blockScratch.length < length) blockScratch = new Float32Array(length);
    block = blockScratch.subarray(0, length);
    let at = 0;
    for (let i = from; i < items.length; i++) {
      const samples = items[i]!.samples;
      // A record's few samples (JSON records hold tens) by a loop: cheaper than a call into `set`.
      if (samples.length <= 256) for (let j = 0; j < samples.length; j++) block[at + j] = samples[j]!;
      else block.set(samples, at);
      at += samples.length;
    }
  }
  const output = slab.take(pipeline.outputLength(block.length));
  const written = pipeline.processInto(block, output) * pipeline.spec.outChannels;
  // Same-rate stages write every frame; were one not to, no uninitialised memory may leave.
  if (written < output.length) output.fill(0, written);
  return output;
}

/**
 * The records' samples as one view when they already lie back to back in one buffer (the event
 * parser lays a key's values out that way: KeyedBase64Slab), else undefined. Kernels only read a
 * block, so a view of the records' own memory is as good as a copy.
 */
function contiguousBlock<M>(items: readonly DecodedRecord<M>[], from: number): Float32Array | undefined {
  const first = items[from]!.samples;
  const buffer = first.buffer;
  let end = first.byteOffset + first.byteLength;
  for (let i = from + 1; i < items.length; i++) {
    const samples = items[i]!.samples;
    if (samples.buffer !== buffer || samples.byteOffset !== end) return undefined;
    end += samples.byteLength;
  }
  return new Float32Array(buffer, first.byteOffset, (end - first.byteOffset) / 4);
}

/** Output frames of each record of a block run: `outChannels` values per input frame. */
export function outputView(output: Float32Array, inputAt: number, inputLength: number, inChannels: number, outChannels: number): Float32Array {
  const first = (inputAt / inChannels) * outChannels;
  return output.subarray(first, first + (inputLength / inChannels) * outChannels);
}
