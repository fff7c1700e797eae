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
 * KEYS[i]: state key of entry i. ARGV[1]: TTL in ms, '0' for none. ARGV[2]: every entry's expected
 * value start and new value, packed (commit-payload.ts). ARGV[3]: '1' when a key is listed twice.
 * ARGV[4] (only when some entry is atomic): 'a' or '-' per entry. Replies one character per entry:
 * c committed, d duplicate, x conflict (commitDecision in store.ts).
 *
 * The stored values are read with MGET (4,000 keys a call: Lua's unpack takes up to ~8,000 values),
 * and each is compared with what the batch loaded as one string compare of its start (header,
 * fence, blank line), so the common case parses nothing. Only a key that is not "committed" has
 * its fences read, with plain finds, to tell a duplicate from a conflict. Keys MGET found no string
 * for are missing unless EXISTS counts some: then a layout v1 hash is read through its fence field
 * (HGET, which fails on any other type) and replaced by a v2 string when committed. Every entry is
 * decided before anything is written: Redis does not roll back a script that fails half way, so a
 * failing read must abort while nothing has been written yet.
 */
export const COMMIT_SCRIPT = lua(`-- dspfn state commit v4
local ttl = tonumber(ARGV[1])
local payload = ARGV[2]
local header = 'dspfn:2\\n'
local byte, sub, find = string.byte, string.sub, string.find

-- The fence of a value this layout wrote; nil when the value is not one.
local function fenceOf(value)
  if sub(value, 1, 8) ~= header then return nil end
  if byte(value, 9) == 10 then return '' end
  local stop = find(value, '\\n\\n', 9, true)
  if stop == nil then return nil end
  return sub(value, 9, stop)
end

-- A fence's offsets by 'topic<tab>partition' (topics hold no tab or newline); nil if malformed.
local function offsetsOf(fence)
  local at, p = {}, 1
  while p <= #fence do
    local eol = find(fence, '\\n', p, true)
    local t1 = find(fence, '\\t', p, true)
    local t2 = t1 and find(fence, '\\t', t1 + 1, true)
    if eol == nil or t2 == nil or t2 > eol then return nil end
    local offset = tonumber(sub(fence, t2 + 1, eol - 1))
    if offset == nil then return nil end
    at[sub(fence, p, t2 - 1)] = offset
    p = eol + 1
  end
  return at
end

-- Whether the stored fence already holds every offset of the new one (a redelivered batch). A
-- topic starting with '!' counts writes (VERSION_TOPIC_PREFIX in store.ts): only an equal count
-- covers, and an entry that raises a count from the one it loaded (the fence loaded) never is a duplicate.
local function covers(stored, fence, loaded)
  local have, want, was = offsetsOf(stored), offsetsOf(fence), offsetsOf(loaded)
  if have == nil or want == nil or was == nil then return false end
  for id, offset in pairs(want) do
    local at = have[id]
    if at == nil or at < offset then return false end
    if byte(id, 1) == 33 and (at ~= offset or (was[id] or 0) ~= offset) then return false end
  end
  for id, at in pairs(have) do
    if byte(id, 1) == 33 and at > 0 and want[id] == nil then return false end
  end
  return true
end

local n = #KEYS
-- Verdicts other than committed, by entry; nil while every entry so far is committed.
local odd = nil
local writes, w = {}, 0
-- With ARGV[3] = '1' (a key listed twice): the values this call has decided to write, so the later
-- entry sees the earlier one's write.
local pending = nil
if ARGV[3] == '1' then pending = {} end
-- ARGV[4], when given: one character per entry, 'a' for an atomic one (StateEntry.atomic). Atomic
-- entries to write wait in held: none is written when one of them conflicts.
local group = ARGV[4]
local held, h, broken = nil, 0, false
if group ~= nil then held = {} end
local p = 1
for s = 1, n, 4000 do
  local e = math.min(s + 3999, n)
  local got = redis.call('MGET', unpack(KEYS, s, e))
  -- Whether some key MGET found no string for exists: asked once per part, at its first such key.
  local typed = nil
  for i = s, e do
    local key = KEYS[i]
    local e1, e2, e3, e4, e5, e6, v1, v2, v3, v4, v5, v6, v7, v8, v9 = byte(payload, p, p + 14)
    if v9 == nil then return redis.error_reply('ERR dspfn state commit: malformed arguments') end
    local el = e1 * 100000 + e2 * 10000 + e3 * 1000 + e4 * 100 + e5 * 10 + e6 - 5333328
    local vl = v1 * 100000000 + v2 * 10000000 + v3 * 1000000 + v4 * 100000 + v5 * 10000 + v6 * 1000 + v7 * 100 + v8 * 10 + v9 - 5333333328
    local expected = sub(payload, p + 15, p + 14 + el)
    local value = sub(payload, p + 15 + el, p + 14 + el + vl)
    p = p + 15 + el + vl
    local current = got[i - s + 1]
    if pending ~= nil and pending[key] ~= nil then current = pending[key] end
    local verdict = 'c'
    -- The common case: the stored value starts with what the batch loaded (a plain find matches
    -- at 1 or looks no further than the value).
    if el == 0 or not current or find(current, expected, 1, true) ~= 1 then
      local stored = false
      if current then
        stored = fenceOf(current)
        if stored == nil then
          return redis.error_reply('ERR state key ' .. key .. ' holds a value dspfn did not write; delete the key to reset it')
        end
      else
        if typed == nil then
          local absent = {}
          for j = i, e do
            if got[j - s + 1] == false then absent[#absent + 1] = KEYS[j] end
          end
          typed = redis.call('EXISTS', unpack(absent)) > 0
        end
        if typed and redis.call('EXISTS', key) == 1 then
          -- Not a string: a layout v1 hash, or another type, for which HGET fails before any write.
          stored = redis.call('HGET', key, 'fence')
        end
      end
      if stored == false then
        if el ~= 0 then verdict = 'x' end
      elseif el == 0 or header .. stored .. '\\n' ~= expected then
        if covers(stored, fenceOf(value) or '', el == 0 and '' or sub(expected, 9, el - 1)) then verdict = 'd' else verdict = 'x' end
      end
      if verdict ~= 'c' then
        if odd == nil then odd = {} end
        odd[i] = verdict
        if verdict == 'x' and held ~= nil and byte(group, i) == 97 then broken = true end
      end
    end
    if verdict == 'c' then
      if pending ~= nil then pending[key] = value end
      if held ~= nil and byte(group, i) == 97 then
        held[h + 1] = i
        held[h + 2] = key
        held[h + 3] = value
        h = h + 3
      else
        writes[w + 1] = key
        writes[w + 2] = value
        w = w + 2
      end
    end
  end
end
if p ~= #payload + 1 then return redis.error_reply('ERR dspfn state commit: malformed arguments') end
if group ~= nil and #group ~= n then return redis.error_reply('ERR dspfn state commit: malformed arguments') end
for at = 1, h, 3 do
  if broken then
    if odd == nil then odd = {} end
    odd[held[at]] = 'x'
  else
    writes[w + 1] = held[at + 1]
    writes[w + 2] = held[at + 2]
    w = w + 2
  end
end

-- SET and MSET replace a v1 hash, and clear an expiry set while a TTL was configured.
if ttl > 0 then
  for at = 1, w, 2 do redis.call('SET', writes[at], writes[at + 1], 'PX', ttl) end
else
  -- One MSET per 2,000 keys costs Redis a third of a SET per key.
  for at = 1, w, 4000 do redis.call('MSET', unpack(writes, at, math.min(at + 3999, w))) end
end
if odd == nil then return string.rep('c', n) end
local status = {}
for i = 1, n do status[i] = odd[i] or 'c' end
return table.concat(status)
`);

/** A script argument: text, or UTF-8 bytes (a commit's payload), sent as they are over TCP. */
export type ScriptArg = string | Buffer;

/** How a store sends a script; the stores differ only in transport. */
export interface ScriptTransport {
  evalsha(sha1: string, keys: readonly string[], args: readonly ScriptArg[]): Promise<unknown>;
  eval(source: string, keys: readonly string[], args: readonly ScriptArg[]): Promise<unknown>;
  /**
   * MGET of the keys and EXISTS of the same keys, sent together in one round trip (a pipeline),
   * and what `parse` makes of the two replies. `parse` may run while the replies are still in a
   * receive buffer that is reused afterwards (the TCP store reads them in place), so it must copy
   * whatever it keeps.
   */
  mgetExists<T>(keys: readonly string[], parse: (values: unknown, existing: unknown) => T): Promise<T>;
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
  args: readonly ScriptArg[],
): Promise<unknown> {
  try {
    return await transport.evalsha(script.sha1, keys, args);
  } catch (error) {
    if (!transport.isNoScript(error)) throw error;
    return transport.eval(script.source, keys, args);
  }
}
