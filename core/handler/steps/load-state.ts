import type { Pipeline } from '../../dsp/pipeline.ts';
import { pipelinePool, type PipelinePool } from '../../dsp/pipeline-pool.ts';
import type { AbsorbedOffset } from '../../dsp/snapshot.ts';
import { StateMismatchError } from '../../errors.ts';
import type { PreparedFunction } from '../prepare.ts';
import type { Runtime } from '../runtime.ts';

export interface KeyState {
  /** The key's pipeline, restored (or new) as loaded; `reload` puts it back there. */
  pipeline: Pipeline;
  /** The fence the commit is conditional on: offsets as loaded, null for a new key. */
  readonly expected: readonly AbsorbedOffset[] | null;
  /** The store key (`<function>:<key>`). */
  readonly stateKey: string;
  /**
   * The pipeline back in the state the key was loaded in (in place: a restore overwrites all of a
   * pipeline's state): undoing a record re-runs the key's earlier records of the batch on it, so
   * nothing is copied while records succeed.
   */
  reload(): Pipeline;
}

export interface LoadedState {
  /** Per pipeline key, its pipeline restored (or new) and the fence it was loaded with. */
  readonly states: ReadonlyMap<string, KeyState>;
  /** Where the pipelines go back once the batch is done with them (releaseState). */
  readonly pool: PipelinePool;
}

export function stateKeyOf(functionName: string, key: string): string {
  return `${functionName}:${key}`;
}

/**
 * How a key was loaded, which is how it reloads: a new pipeline (no stored state), restored from
 * its snapshot, or a new pipeline behind the stored fence (reset by `dspfn state reset`, or
 * onStateMismatch: 'reset').
 */
type Start = 'new' | 'restored' | 'fenced';

class LoadedKey implements KeyState {
  constructor(
    public pipeline: Pipeline,
    readonly expected: readonly AbsorbedOffset[] | null,
    readonly stateKey: string,
    private readonly start: Start,
    private readonly snapshot: Uint8Array | undefined,
    private readonly key: string,
    private readonly pool: PipelinePool,
  ) {}

  reload(): Pipeline {
    if (this.start === 'restored') this.pipeline.restore(this.snapshot!, this.key);
    else {
      this.pool.reset(this.pipeline);
      if (this.start === 'fenced') fence(this.pipeline, this.expected!);
    }
    return this.pipeline;
  }
}

function fence(pipeline: Pipeline, offsets: readonly AbsorbedOffset[]): Pipeline {
  for (const o of offsets) pipeline.markAbsorbed(o.topic, o.partition, o.offset);
  return pipeline;
}

/**
 * Step: one store round trip for every key of the batch, then each key's pipeline restored or
 * created (pipelines come from the process's pool for the spec: see releaseState). A snapshot from
 * another pipeline configuration fails the batch, or with `onStateMismatch: 'reset'` starts the
 * key afresh keeping its fence.
 */
export async function loadState<M>(
  keys: Iterable<string>,
  fn: PreparedFunction<M>,
  runtime: Pick<Runtime, 'state' | 'backend' | 'logger'>,
): Promise<LoadedState> {
  const names: string[] = [];
  const stateKeys: string[] = [];
  for (const key of keys) {
    names.push(key);
    stateKeys.push(stateKeyOf(fn.name, key));
  }
  const stored = await runtime.state.load(stateKeys);
  const policy = fn.definition.onStateMismatch ?? 'error';
  const pool = pipelinePool(fn.definition.pipeline, runtime.backend);
  const states = new Map<string, KeyState>();
  for (let i = 0; i < names.length; i++) {
    const key = names[i]!;
    const stateKey = stateKeys[i]!;
    const entry = stored.get(stateKey);
    let state: LoadedKey;
    if (entry === undefined) state = new LoadedKey(pool.fresh(), null, stateKey, 'new', undefined, key, pool);
    else if (entry.snapshot.length === 0) {
      // Reset by `dspfn state reset`: the filters start afresh, the fence still skips old records.
      state = new LoadedKey(fence(pool.fresh(), entry.offsets), entry.offsets, stateKey, 'fenced', undefined, key, pool);
    } else {
      try {
        state = new LoadedKey(pool.restored(entry.snapshot, key), entry.offsets, stateKey, 'restored', entry.snapshot, key, pool);
      } catch (error) {
        if (!(error instanceof StateMismatchError) || policy !== 'reset') throw error;
        // Reset the filters but keep the fence, so records already applied are still skipped.
        runtime.logger.log('warn', 'state reset after a pipeline configuration change', { key, reason: error.message });
        state = new LoadedKey(fence(pool.fresh(), entry.offsets), entry.offsets, stateKey, 'fenced', undefined, key, pool);
      }
    }
    states.set(key, state);
  }
  return { states, pool };
}

/**
 * The batch's pipelines back to the pool, once nothing reads them any more (commitState, when its
 * store round trip is over): the next batch restores or resets them for its keys.
 */
export function releaseState(loaded: LoadedState): void {
  for (const state of loaded.states.values()) loaded.pool.give(state.pipeline);
}
