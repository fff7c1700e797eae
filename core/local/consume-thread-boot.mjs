// A consume thread's first module (see consume-threads.ts). Plain JavaScript, so Node runs it without
// a loader: it registers tsx's (a function may be TypeScript, as `dspfn` loads it), with dspfn's
// source export condition when the consuming thread runs from the sources, then loads the thread.
import { register as registerHooks } from 'node:module';
import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
const { entry, conditions } = workerData.boot;
if (conditions) registerHooks(conditions);
await import(entry);
