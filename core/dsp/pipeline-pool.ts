import type { DspBackend } from './backend.ts';
import type { Pipeline, PipelineSpec } from './pipeline.ts';

/** At most this many pipelines wait per spec and backend (a batch of many keys leaves that many). */
const MOST_KEPT = 1024;
/** …and at most this much state (their fresh snapshots' size, a stand-in for their kernels' memory). */
const MOST_KEPT_BYTES = 16 << 20;

/**
 * Pipelines of one spec on one backend, kept between batches: a handler needs one per key per
 * batch, and a new one costs a native allocation per stage (and its finalizer, and the external
 * memory V8 is told of, which brings collections forward). One taken from here is either restored
 * from a snapshot, which overwrites all of its state (kernels, clock, fence), or reset to the
 * snapshot of a new pipeline, which makes it start exactly as `spec.create(backend)` does.
 *
 * A pipeline given back must not be used by its former holder: the next batch's key gets it.
 */
export class PipelinePool {
  private readonly kept: Pipeline[] = [];
  /** The snapshot of a new pipeline, taken with the first one made. */
  private freshBytes: Uint8Array | undefined;
  private most = MOST_KEPT;

  constructor(
    readonly spec: PipelineSpec,
    readonly backend: DspBackend,
  ) {}

  /** A pipeline in the state `spec.create(backend)` gives. */
  fresh(): Pipeline {
    const reused = this.kept.pop();
    if (reused === undefined) return this.create();
    return this.reset(reused);
  }

  /** `pipeline` (one of this pool's) back in the state of a new one, in place. */
  reset(pipeline: Pipeline): Pipeline {
    pipeline.restore(this.freshBytes!);
    return pipeline;
  }

  /**
   * A pipeline restored from `snapshot` (Pipeline.restore: StateMismatchError for another
   * configuration, SnapshotError for a state it cannot read). One that throws is not kept.
   */
  restored(snapshot: Uint8Array, key?: string): Pipeline {
    const pipeline = this.kept.pop() ?? this.create();
    pipeline.restore(snapshot, key);
    return pipeline;
  }

  /** Back for another key (the caller no longer uses it). */
  give(pipeline: Pipeline): void {
    // Another spec's or backend's pipeline is not kept: this pool's hand out only theirs.
    if (pipeline.spec === this.spec && pipeline.backend === this.backend && this.kept.length < this.most) this.kept.push(pipeline);
  }

  /** How many wait (tests). */
  get size(): number {
    return this.kept.length;
  }

  private create(): Pipeline {
    const pipeline = this.spec.create(this.backend);
    if (this.freshBytes === undefined) {
      this.freshBytes = pipeline.snapshot();
      this.most = Math.max(1, Math.min(MOST_KEPT, Math.floor(MOST_KEPT_BYTES / this.freshBytes.length)));
    }
    return pipeline;
  }
}

const pools = new WeakMap<PipelineSpec, WeakMap<DspBackend, PipelinePool>>();

/** The process's pool for `spec` on `backend`. */
export function pipelinePool(spec: PipelineSpec, backend: DspBackend): PipelinePool {
  let byBackend = pools.get(spec);
  if (byBackend === undefined) {
    byBackend = new WeakMap();
    pools.set(spec, byBackend);
  }
  let pool = byBackend.get(backend);
  if (pool === undefined) {
    pool = new PipelinePool(spec, backend);
    byBackend.set(backend, pool);
  }
  return pool;
}
