// `dspfn replay --state redis://…`: state outlives the process, so replaying the same file again
// applies nothing twice (every record is behind its key's offset fence).
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, inject, it } from 'vitest';

const run = promisify(execFile);
const root = join(import.meta.dirname, '..', '..');

describe('dspfn replay --state', () => {
  it('keeps state in Redis across runs: a second replay of the same file skips every record', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dspfn-state-cli-'));
    const env = { ...process.env, DSPFN_STATE_PREFIX: `cli-${randomUUID()}:` };
    const args = (out: string) => ['bin/dspfn.js', 'replay', 'sensor-rms', '--events', 'functions/sensor-rms/events.ndjson', '--out', out, '--state', inject('redisUrl'), '--log-level', 'silent', '--json'];
    const first = JSON.parse((await run(process.execPath, args(join(dir, 'a.ndjson')), { cwd: root, env })).stdout) as Record<string, number>;
    const second = JSON.parse((await run(process.execPath, args(join(dir, 'b.ndjson')), { cwd: root, env })).stdout) as Record<string, number>;
    expect(first).toMatchObject({ records: 300, results: 299, deadLetters: 1, skipped: 0 });
    expect(second).toMatchObject({ records: 300, results: 0, deadLetters: 1, skipped: 299 });
    expect(readFileSync(join(dir, 'b.ndjson'), 'utf8').trim().split('\n')).toHaveLength(1);
  });
});
