import type { ClosedWindow } from '../../windows/engine.ts';
import type { SignalObserver } from '../observer.ts';
import type { PreparedFunction } from '../prepare.ts';
import type { DecodedRecord } from '../steps/decode.ts';
import { timing, type PartitionRecords } from './run.ts';

/**
 * What a windowed batch shows a SignalObserver once it succeeded: every applied record's input
 * (late ones left out) and, when the pipeline has stages, its output (the values the windows
 * took), then the windows that closed.
 */
export function observeWindowed<M>(
  observer: SignalObserver,
  fn: PreparedFunction<M>,
  applied: { partitions: readonly PartitionRecords<M>[]; late: ReadonlySet<DecodedRecord<M>>; outputs: ReadonlyMap<DecodedRecord<M>, Float32Array> } | undefined,
  closed: ReadonlyArray<{ window: ClosedWindow }>,
): void {
  const { channels } = fn;
  const { outChannels, stages } = fn.definition.pipeline;
  for (const { records } of applied?.partitions ?? []) {
    for (const item of records) {
      if (applied!.late.has(item) || item.samples.length === 0) continue;
      const { time } = timing(item);
      const rate = item.block.sampleRate;
      observer.input(item.key, item.samples, channels, time, rate);
      const output = applied!.outputs.get(item);
      if (stages.length > 0 && output !== undefined) observer.output(item.key, output, outChannels, item.samples.length / channels, time, rate);
    }
  }
  for (const { window } of closed) observer.window(window.key, window.start, window.end, window.channels);
}
