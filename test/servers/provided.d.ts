// Values that test/servers/*.ts globalSetups hand to tests via `inject()`.
import 'vitest';
import type { KafkaSecureListeners } from './kafka.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Bootstrap address of the test Kafka broker, `host:port`. */
    kafkaBrokers: string;
    /** The run directory of that broker when the run started it (fault tests halt and restart it), else null. */
    kafkaDir: string | null;
    /** The same broker's SASL_SSL and SSL listeners; null for an external broker without DSPFN_TEST_KAFKA_SECURE. */
    kafkaSecure: KafkaSecureListeners | null;
  }
}
