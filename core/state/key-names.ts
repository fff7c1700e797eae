/**
 * The Redis keys (prefix + state key) of a store, kept from batch to batch: a function sees the
 * same keys batch after batch, and a key string encoded once is flat, so the RESP writer copies
 * its characters straight away, where a fresh concatenation would be flattened first on every
 * batch; a load and the commit after it share the strings too. The same
 * lookup tells a commit whether a key is listed twice, without a Set of its keys.
 */
interface Slot {
  readonly redisKey: string;
  /** The last pass that listed the key. */
  pass: number;
}

/** Enough for batches of 10,000 keys a few times over, and a few MB at most. */
const DEFAULT_CAPACITY = 50_000;

export class RedisKeyNames {
  private readonly slots = new Map<string, Slot>();
  private pass = 0;

  constructor(
    readonly prefix: string,
    private readonly capacity: number = DEFAULT_CAPACITY,
  ) {}

  /** The Redis keys of `keys`, in order. */
  redisKeys(keys: readonly string[]): string[] {
    const out = new Array<string>(keys.length);
    if (!this.room(keys.length)) {
      for (let i = 0; i < keys.length; i++) out[i] = this.prefix + keys[i]!;
      return out;
    }
    for (let i = 0; i < keys.length; i++) out[i] = this.slot(keys[i]!).redisKey;
    return out;
  }

  /**
   * Fills `out` with the Redis keys of the entries' keys (`key(i)` for i < count) and returns
   * whether a key is listed more than once.
   */
  commitKeys(count: number, key: (i: number) => string, out: string[]): boolean {
    if (!this.room(count)) {
      const seen = new Set<string>();
      for (let i = 0; i < count; i++) {
        const name = key(i);
        out[i] = this.prefix + name;
        seen.add(name);
      }
      return seen.size !== count;
    }
    const pass = ++this.pass;
    let repeated = false;
    for (let i = 0; i < count; i++) {
      const slot = this.slot(key(i));
      if (slot.pass === pass) repeated = true;
      slot.pass = pass;
      out[i] = slot.redisKey;
    }
    return repeated;
  }

  /** Whether `count` more keys fit, emptying the cache when they would not (never during a pass). */
  private room(count: number): boolean {
    if (count > this.capacity) return false;
    if (this.slots.size + count > this.capacity) this.slots.clear();
    return true;
  }

  private slot(key: string): Slot {
    let slot = this.slots.get(key);
    if (slot === undefined) {
      slot = { redisKey: this.prefix + key, pass: 0 };
      this.slots.set(key, slot);
    }
    return slot;
  }
}
