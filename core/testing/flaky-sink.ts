import type { OutputMessage, Sink } from '../sink/sink.ts';

/**
 * A sink whose first `failures` sends throw `message` (a broker that was down), then pass to
 * `inner`: what the retry tests of the handler and its observers need.
 */
export function flakySink(inner: Sink, failures = 1, message = 'broker unavailable'): Sink {
  let left = failures;
  return {
    name: 'flaky',
    async send(messages: readonly OutputMessage[]) {
      if (left-- > 0) throw new Error(message);
      await inner.send(messages);
    },
    close: async () => {},
  };
}
