import type { DspBackend } from '../dsp/backend.ts';
import type { Pipeline, PipelineSpec } from '../dsp/pipeline.ts';
import type { AbsorbedOffset } from '../dsp/snapshot.ts';
import { StateMismatchError } from '../errors.ts';
import type { StateStore } from '../state/store.ts';
import type { StateMismatchPolicy } from './definition.ts';
import type { Logger } from '../logger/logger.ts';

export interface KeyState {
  readonly pipeline: Pipeline;
  /** The fence the commit is conditional on: offsets as loaded, null for a new key. */
  readonly expected: readonly AbsorbedOffset[] | null;
}

/** One round trip for every key of the batch, then each key's pipeline restored or created. */
export async function loadPipelines(
  stateKeys: ReadonlyMap<string, string>,
  spec: PipelineSpec,
  store: StateStore,
  backend: DspBackend,
  policy: StateMismatchPolicy,
  logger: Logger,
): Promise<Map<string, KeyState>> {
  const stored = await store.load([...stateKeys.values()]);
  const states = new Map<string, KeyState>();
  for (const [key, stateKey] of stateKeys) {
    const pipeline = spec.create(backend);
    const entry = stored.get(stateKey);
    if (entry) {
      try {
        pipeline.restore(entry.snapshot, key);
      } catch (error) {
        if (!(error instanceof StateMismatchError) || policy !== 'reset') throw error;
        // Reset the filters but keep the fence, so records already applied are still skipped.
        logger.log('warn', 'state reset after a pipeline configuration change', { key, reason: error.message });
        for (const o of entry.offsets) pipeline.markAbsorbed(o.topic, o.partition, o.offset);
      }
    }
    states.set(key, { pipeline, expected: entry ? entry.offsets : null });
  }
  return states;
}
