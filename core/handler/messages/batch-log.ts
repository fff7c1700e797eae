import type { OutputMessage } from '../../sink/sink.ts';
import type { BatchReport } from '../report.ts';

/** The batch's structured log line as a message, for `logTopic`. */
export function batchLogMessage(topic: string, report: BatchReport): OutputMessage {
  return {
    kind: 'log',
    topic,
    key: report.functionName,
    value: JSON.stringify({ message: 'batch', ...report }),
    headers: { 'content-type': 'application/json' },
    serializedJson: true,
  };
}
