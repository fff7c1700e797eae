import type { Pipeline } from '../../dsp/pipeline.ts';
import type { AbsorbedOffset } from '../../dsp/snapshot.ts';
import { StateMismatchError } from '../../errors.ts';
import type { PreparedFunction } from '../prepare.ts';
import type { Runtime } from '../runtime.ts';

export interface KeyState {
  /** Replaced when a record has to be undone (see `reload`). */
  pipeline: Pipeline;
  /** The fence the commit is conditional on: offsets as loaded, null for a new key. */
  readonly expected: readonly AbsorbedOffset[] | null;
  /**
   * A new pipeline in the state the key was loaded in: undoing a record re-runs the key's earlier
   * records of the batch on it, so nothing is copied while records succeed.
   */
  readonly reload: () => Pipeline;
}

export interface LoadedState {
  /** Per pipeline key, its pipeline restored (or new) and the fence it was loaded with. */
  readonly states: ReadonlyMap<string, KeyState>;
  /** Pipeline key → store key (`<function>:<key>`). */
  readonly stateKeys: ReadonlyMap<string, string>;
}

export function stateKeyOf(functionName: string, key: string): string {
  return `${functionName}:${key}`;
}

/**
 * Step: one store round trip for every key of the batch, then each key's pipeline restored or
 * created. A snapshot from another pipeline configuration fails the batch, or with
 * `onStateMismatch: 'reset'` starts the key afresh keeping its fence.
 */
export async function loadState<M>(
  keys: Iterable<string>,
  fn: PreparedFunction<M>,
  runtime: Pick<Runtime, 'state' | 'backend' | 'logger'>,
): Promise<LoadedState> {
  const stateKeys = new Map([...keys].map((key) => [key, stateKeyOf(fn.name, key)]));
  const stored = await runtime.state.load([...stateKeys.values()]);
  const policy = fn.definition.onStateMismatch ?? 'error';
  const states = new Map<string, KeyState>();
  for (const [key, stateKey] of stateKeys) {
    const create = () => fn.definition.pipeline.create(runtime.backend);
    const pipeline = create();
    const entry = stored.get(stateKey);
    let reload = create;
    const fenced = (target: Pipeline, offsets: readonly AbsorbedOffset[]) => {
      for (const o of offsets) target.markAbsorbed(o.topic, o.partition, o.offset);
      return target;
    };
    if (entry && entry.snapshot.length === 0) {
      // Reset by `dspfn state reset`: the filters start afresh, the fence still skips old records.
      fenced(pipeline, entry.offsets);
      reload = () => fenced(create(), entry.offsets);
    } else if (entry) {
      try {
        pipeline.restore(entry.snapshot, key);
        reload = () => {
          const again = create();
          again.restore(entry.snapshot, key);
          return again;
        };
      } catch (error) {
        if (!(error instanceof StateMismatchError) || policy !== 'reset') throw error;
        // Reset the filters but keep the fence, so records already applied are still skipped.
        runtime.logger.log('warn', 'state reset after a pipeline configuration change', { key, reason: error.message });
        fenced(pipeline, entry.offsets);
        reload = () => fenced(create(), entry.offsets);
      }
    }
    states.set(key, { pipeline, expected: entry ? entry.offsets : null, reload });
  }
  return { states, stateKeys };
}
