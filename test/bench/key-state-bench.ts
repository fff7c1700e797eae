/**
 * The per-key state path of a batch on its own: loadState, a record's offset marked on each key's
 * pipeline (and, unless NOPROC=1, 64 samples through it), commitState, for KEYS (default 10) keys
 * on a memory store with sensor-rms's pipeline on the default backend. Prints the median CPU time per
 * key per batch of 7 rounds (CPU time: the machine may be shared).
 *
 *   node --import tsx --conditions=dspfn-source test/bench/key-state-bench.ts   [KEYS=n BATCHES=n NOPROC=1]
 */
import { jsonLogger } from '../../core/adapters/index.ts';
import { resolveBackend } from '../../core/dsp/native/loader.ts';
import { prepareFunction } from '../../core/handler/prepare.ts';
import { commitState } from '../../core/handler/steps/commit-state.ts';
import { loadState } from '../../core/handler/steps/load-state.ts';
import { newPipelineRun } from '../../core/handler/steps/run-pipelines.ts';
import { MemoryStateStore } from '../../core/state/memory.ts';
import { handler as sensorRms } from '../../functions/sensor-rms/handler.ts';

const KEYS = Number(process.env.KEYS ?? 10);
const BATCHES = Number(process.env.BATCHES ?? 20_000);
const ROUNDS = 7;
const fn = prepareFunction(sensorRms.dspfn.definition);
const runtime = { state: new MemoryStateStore(), backend: resolveBackend(), logger: jsonLogger({}, 'silent') };
const keys = Array.from({ length: KEYS }, (_, i) => `device-${i}`);
const samples = Float32Array.from({ length: 64 }, (_, i) => Math.sin(i / 9));
const groups = new Map(keys.map((key) => [key, [] as never[]]));
let offset = 0;

async function batch(): Promise<void> {
  const loaded = await loadState(groups.keys(), fn, runtime);
  const run = newPipelineRun<unknown>();
  offset++;
  for (const key of keys) {
    const { pipeline } = loaded.states.get(key)!;
    if (!process.env.NOPROC) pipeline.process(samples);
    pipeline.markAbsorbed('readings', 0, offset);
    run.advanced.add(key);
  }
  const outcome = await commitState(run, loaded, groups, fn, runtime);
  if (outcome.committed !== KEYS) throw new Error(`committed ${outcome.committed} of ${KEYS} keys`);
}

for (let i = 0; i < 2000; i++) await batch();
const perKey: number[] = [];
for (let r = 0; r < ROUNDS; r++) {
  const cpu = process.cpuUsage();
  for (let i = 0; i < BATCHES; i++) await batch();
  const used = process.cpuUsage(cpu);
  perKey.push(((used.user + used.system) * 1000) / (BATCHES * KEYS));
}
perKey.sort((a, b) => a - b);
console.log(`key state: ${KEYS} keys, ${Math.round(perKey[ROUNDS >> 1]!)} ns CPU per key per batch (median of ${ROUNDS}; min ${Math.round(perKey[0]!)}, max ${Math.round(perKey[ROUNDS - 1]!)})`);
