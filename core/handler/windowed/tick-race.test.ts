// An idle tick racing a batch on one partition, on the in-memory store (the same scenarios run on
// Redis and Upstash in test/integration/state-tick-race.test.ts).
import { describeTickRaces } from '../../../test/fixtures/tick-races.ts';
import { MemoryStateStore } from '../../state/memory.ts';

describeTickRaces('the memory store', () => new MemoryStateStore());
