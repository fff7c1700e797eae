import { createHash } from 'node:crypto';

/**
 * The Lua both Redis stores run, byte for byte the same over TCP and REST: Upstash has no WATCH and
 * its /pipeline is not atomic, so a conditional write per key must be one script call. Field names
 * and the fence format are the ones in redis-layout.ts.
 */
export interface LuaScript {
  readonly source: string;
  /** What EVALSHA takes; Redis caches scripts by it until a restart, failover or SCRIPT FLUSH. */
  readonly sha1: string;
}

function lua(source: string): LuaScript {
  return { source, sha1: createHash('sha1').update(source, 'utf8').digest('hex') };
}

/**
 * KEYS: state hashes. Replies snapshot, fence for each key in order (nil, nil when missing).
 * A script rather than a pipeline of HMGETs: one command on the wire, and Upstash bills it as one.
 */
export const LOAD_SCRIPT = lua(`-- dspfn state load v1
local out = {}
for i = 1, #KEYS do
  local v = redis.call('HMGET', KEYS[i], 'snapshot', 'fence')
  out[2 * i - 1] = v[1]
  out[2 * i] = v[2]
end
return out
`);

/**
 * KEYS[i]: state hash of entry i. ARGV[1]: TTL in ms, '0' for none. Then 3 per entry: the expected
 * fence ('new' when the key was missing at load), the new fence, the snapshot.
 * Replies one character per entry: c committed, d duplicate, x conflict (commitDecision in store.ts).
 *
 * Every entry is decided before anything is written: Redis does not roll back a script that fails
 * half way, so a failing read (WRONGTYPE) must abort while nothing has been written yet.
 */
export const COMMIT_SCRIPT = lua(`-- dspfn state commit v1
local ttl = tonumber(ARGV[1])
local line = '([^\\n]*)\\t([^\\t\\n]*)\\n'

local function covers(stored, fence)
  local at = {}
  for id, offset in string.gmatch(stored, line) do at[id] = tonumber(offset) end
  for id, offset in string.gmatch(fence, line) do
    local have = at[id]
    if have == nil or have < tonumber(offset) then return false end
  end
  return true
end

local status = {}
-- Fences this call has already decided to write, so a key listed twice sees its first write.
local written = {}
for i = 1, #KEYS do
  local key, expected, fence = KEYS[i], ARGV[3 * i - 1], ARGV[3 * i]
  local stored = written[key]
  if stored == nil then stored = redis.call('HGET', key, 'fence') end
  local same
  if expected == 'new' then same = stored == false else same = stored == expected end
  if same then
    status[i] = 'c'
    written[key] = fence
  elseif stored ~= false and covers(stored, fence) then
    status[i] = 'd'
  else
    status[i] = 'x'
  end
end

for i = 1, #KEYS do
  if status[i] == 'c' then
    local key = KEYS[i]
    redis.call('HSET', key, 'snapshot', ARGV[3 * i + 1], 'fence', ARGV[3 * i])
    if ttl > 0 then redis.call('PEXPIRE', key, ttl) else redis.call('PERSIST', key) end
  end
end
return table.concat(status)
`);

/** How a store sends a script; the stores differ only in transport. */
export interface ScriptTransport {
  evalsha(sha1: string, keys: readonly string[], args: readonly string[]): Promise<unknown>;
  eval(source: string, keys: readonly string[], args: readonly string[]): Promise<unknown>;
  /** The reply Redis gives when its script cache no longer holds the sha. */
  isNoScript(error: unknown): boolean;
  /** Loads the client and connects, ahead of the first call. */
  warm?(): Promise<void>;
  close(): Promise<void>;
}

/**
 * EVALSHA, then EVAL only when the script cache was flushed: one round trip normally, two right
 * after a restart or failover. Not SCRIPT LOAD first: that would cost a round trip on every cold start.
 */
export async function runScript(
  transport: ScriptTransport,
  script: LuaScript,
  keys: readonly string[],
  args: readonly string[],
): Promise<unknown> {
  try {
    return await transport.evalsha(script.sha1, keys, args);
  } catch (error) {
    if (!transport.isNoScript(error)) throw error;
    return transport.eval(script.source, keys, args);
  }
}
