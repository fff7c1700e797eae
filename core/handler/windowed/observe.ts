import type { ClosedWindow } from '../../windows/engine.ts';
import type { SignalObserver } from '../observer.ts';
import type { DecodedRecord } from '../steps/decode.ts';
import { timing, type PartitionRecords } from './run.ts';

/**
 * What a windowed batch shows a SignalObserver, once its messages were produced: the input of
 * every record applied (late ones left out) and the windows that closed.
 */
export function observeWindowed<M>(
  observer: SignalObserver,
  partitions: readonly PartitionRecords<M>[],
  late: ReadonlySet<DecodedRecord<M>>,
  closed: ReadonlyArray<{ window: ClosedWindow }>,
  channels: number,
): void {
  for (const { records } of partitions) {
    for (const item of records) {
      if (late.has(item) || item.samples.length === 0) continue;
      observer.input(item.key, item.samples, channels, timing(item).time, item.block.sampleRate);
    }
  }
  for (const { window } of closed) observer.window(window.key, window.start, window.end, window.channels);
}
