// Vitest's worker reports progress to the main process over a message port and gives each report
// 60 s to be answered. A file of many synchronous tests (the conformance suites: ~1,000 cases)
// chains them through promise callbacks only, so the worker never reaches the event loop's poll
// phase and the answers wait unread; on a loaded 2-core machine such a file runs past 60 s and the
// run fails with "Timeout calling onTaskUpdate" although every test passed. One macrotask turn after
// each test lets the answers in.
import { afterEach } from 'vitest';

afterEach(() => new Promise<void>((resolve) => setImmediate(resolve)));
