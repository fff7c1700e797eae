import { afterEach, describe, expect, it, vi } from 'vitest';
import { startKafka, type KafkaServer } from './kafka.ts';

const server: KafkaServer = { brokers: '127.0.0.1:1', dir: '/nonexistent', stop: async () => {} };

describe('startKafka', () => {
  afterEach(() => vi.restoreAllMocks());

  it('retries a failed start once, saying why', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const starts = [() => Promise.reject(new Error('kafka.sh start failed: port taken\nlog tail')), () => Promise.resolve(server)];
    let calls = 0;
    await expect(startKafka(2, () => starts[calls++]!())).resolves.toBe(server);
    expect(calls).toBe(2);
    expect(warn).toHaveBeenCalledWith('[kafka] start failed (attempt 1 of 2), retrying in a new directory: kafka.sh start failed: port taken');
  });

  it('gives up with the last error when every attempt fails', async () => {
    vi.spyOn(console, 'warn').mockImplementation(() => {});
    let calls = 0;
    await expect(startKafka(2, () => Promise.reject(new Error(`failure ${++calls}`)))).rejects.toThrow('failure 2');
    expect(calls).toBe(2);
  });
});
