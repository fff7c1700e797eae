import { createHash } from 'node:crypto';

/**
 * The Lua both Redis stores run, byte for byte the same over TCP and REST: Upstash has no WATCH and
 * its /pipeline is not atomic, so a conditional write per key must be one script call. The value
 * layout and the fence format are the ones in redis-layout.ts. Loads need no script: MGET.
 */
export interface LuaScript {
  readonly source: string;
  /** What EVALSHA takes; Redis caches scripts by it until a restart, failover or SCRIPT FLUSH. */
  readonly sha1: string;
}

export function lua(source: string): LuaScript {
  return { source, sha1: createHash('sha1').update(source, 'utf8').digest('hex') };
}

/**
 * Keys the MGET of a load found no string for, while EXISTS counted more keys than it found: hashes
 * written by layout v1 (see redis-layout.ts). Replies per key: [snapshot, fence] for a hash, the
 * value for a string (a v2 key written meanwhile), nil when missing; any other type fails (WRONGTYPE).
 */
export const LEGACY_LOAD_SCRIPT = lua(`-- dspfn state load v1 keys
local out = {}
for i = 1, #KEYS do
  local kind = redis.call('TYPE', KEYS[i]).ok
  if kind == 'none' then
    out[i] = false
  elseif kind == 'string' then
    out[i] = redis.call('GET', KEYS[i])
  else
    local v = redis.call('HMGET', KEYS[i], 'snapshot', 'fence')
    out[i] = {v[1], v[2]}
  end
end
return out
`);

/**
 * KEYS[i]: state key of entry i. ARGV[1]: TTL in ms, '0' for none. Then 2 per entry: the expected
 * fence ('new' when the key was missing at load) and the value to write (header, new fence, blank
 * line, snapshot: see redis-layout.ts). Replies one character per entry: c committed, d duplicate,
 * x conflict (commitDecision in store.ts).
 *
 * The stored fence is compared in place (a substring equal to the expected fence, followed by the
 * blank line), so the common case parses nothing; only a key that is not "committed" has its fences
 * parsed, to tell a duplicate from a conflict. A v1 hash is read through its fence field and
 * replaced by a v2 string when committed. Every entry is decided before anything is written: Redis
 * does not roll back a script that fails half way, so a failing read must abort while nothing has
 * been written yet.
 */
export const COMMIT_SCRIPT = lua(`-- dspfn state commit v2
local ttl = tonumber(ARGV[1])
local header = 'dspfn:2\\n'
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

-- The fence of a value this layout wrote; nil when the value is not one.
local function fenceOf(value)
  if string.sub(value, 1, 8) ~= header then return nil end
  if string.byte(value, 9) == 10 then return '' end
  local stop = string.find(value, '\\n\\n', 9, true)
  if stop == nil then return nil end
  return string.sub(value, 9, stop)
end

local status = {}
-- Values this call has already decided to write, so a key listed twice sees its first write.
local pending = {}
for i = 1, #KEYS do
  local key, expected, value = KEYS[i], ARGV[2 * i], ARGV[2 * i + 1]
  local stored
  if pending[key] ~= nil then
    stored = fenceOf(pending[key])
  else
    local current = redis.pcall('GET', key)
    if type(current) == 'table' then
      -- Not a string: a layout v1 hash, or another type, for which HGET fails before any write.
      stored = redis.call('HGET', key, 'fence')
    elseif current == false then
      stored = false
    elseif expected ~= 'new' and string.byte(current, 9 + #expected) == 10
        and string.sub(current, 9, 8 + #expected) == expected and string.sub(current, 1, 8) == header then
      stored = expected
    else
      stored = fenceOf(current)
      if stored == nil then
        return redis.error_reply('ERR state key ' .. key .. ' holds a value dspfn did not write; delete the key to reset it')
      end
    end
  end
  local same
  if expected == 'new' then same = stored == false else same = stored == expected end
  if same then
    status[i] = 'c'
    pending[key] = value
  elseif stored ~= false and covers(stored, fenceOf(value) or '') then
    status[i] = 'd'
  else
    status[i] = 'x'
  end
end

-- SET and MSET replace a v1 hash, and clear an expiry set while a TTL was configured.
if ttl > 0 then
  for i = 1, #KEYS do
    if status[i] == 'c' then redis.call('SET', KEYS[i], ARGV[2 * i + 1], 'PX', ttl) end
  end
else
  -- One MSET per 2,000 keys costs Redis a third of a SET per key (Lua's unpack takes up to ~8,000 values).
  local pairs = {}
  for i = 1, #KEYS do
    if status[i] == 'c' then
      pairs[#pairs + 1] = KEYS[i]
      pairs[#pairs + 1] = ARGV[2 * i + 1]
    end
  end
  for s = 1, #pairs, 4000 do redis.call('MSET', unpack(pairs, s, math.min(s + 3999, #pairs))) end
end
return table.concat(status)
`);

/** How a store sends a script; the stores differ only in transport. */
export interface ScriptTransport {
  evalsha(sha1: string, keys: readonly string[], args: readonly string[]): Promise<unknown>;
  eval(source: string, keys: readonly string[], args: readonly string[]): Promise<unknown>;
  /**
   * MGET of the keys and EXISTS of the same keys, sent together in one round trip (a pipeline):
   * the replies as Redis gave them.
   */
  mgetExists(keys: readonly string[]): Promise<[values: unknown, existing: unknown]>;
  /** One SCAN step: the next cursor ('0' when done) and the keys of this step. */
  scan(cursor: string, match: string, count: number): Promise<[cursor: string, keys: string[]]>;
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
