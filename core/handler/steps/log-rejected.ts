import type { Logger } from '../../logger/logger.ts';
import type { RejectedRecord } from './decode.ts';

/** Step: one warning per record set aside: where it is and why, never its payload. */
export function logRejected(rejected: readonly RejectedRecord[], requestId: string, logger: Logger): void {
  for (const { record, error } of rejected) {
    logger.log('warn', 'record dead-lettered', {
      requestId,
      topic: record.topic,
      partition: record.partition,
      offset: record.offset,
      reason: error.message,
    });
  }
}
