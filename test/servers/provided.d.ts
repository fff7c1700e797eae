// Values that test/servers/*.ts globalSetups hand to tests via `inject()`.
import 'vitest';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Bootstrap address of the test Kafka broker, `host:port`. */
    kafkaBrokers: string;
  }
}
