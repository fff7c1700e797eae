import type { DspBackend } from '../dsp/backend.ts';
import type { Pipeline, PipelineSpec } from '../dsp/pipeline.ts';
import type { AbsorbedOffset } from '../dsp/snapshot.ts';
import { StateMismatchError } from '../errors.ts';
import type { StateStore } from '../state/store.ts';
import type { StateMismatchPolicy } from './definition.ts';
import type { Logger } from './logger.ts';

export interface KeyState {
  /** Replaced when a record has to be undone (see `reload`). */
  pipeline: Pipeline;
  /** The fence the commit is conditional on: offsets as loaded, null for a new key. */
  readonly expected: readonly AbsorbedOffset[] | null;
  /**
   * A new pipeline in the state the key was loaded in. Undoing one record re-runs the key's
   * earlier records of the batch on it: nothing is copied on the path where every record succeeds.
   */
  readonly reload: () => Pipeline;
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
    let reload = () => spec.create(backend);
    if (entry) {
      try {
        pipeline.restore(entry.snapshot, key);
        reload = () => {
          const again = spec.create(backend);
          again.restore(entry.snapshot, key);
          return again;
        };
      } catch (error) {
        if (!(error instanceof StateMismatchError) || policy !== 'reset') throw error;
        // Reset the filters but keep the fence, so records already applied are still skipped.
        logger.log('warn', 'state reset after a pipeline configuration change', { key, reason: error.message });
        const fence = (target: Pipeline) => {
          for (const o of entry.offsets) target.markAbsorbed(o.topic, o.partition, o.offset);
          return target;
        };
        fence(pipeline);
        reload = () => fence(spec.create(backend));
      }
    }
    states.set(key, { pipeline, expected: entry ? entry.offsets : null, reload });
  }
  return states;
}
