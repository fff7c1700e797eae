import { StateStoreError } from '../errors.ts';
import { lua, type LuaScript } from './commit-script.ts';
import { parseLegacyReply, type StateLayout } from './redis-layout.ts';
import type { StoredState, WindowIndexQuery } from './store.ts';

/**
 * The load of a batch with event-time windows, in one script call: the batch's keys and each
 * partition's window index, then, per index, the keys whose earliest open window the batch's
 * watermark reaches (closingKeys in windows/partition-index.ts, the same computation in Lua), which
 * the batch must close though they have no record in it. The index is stored as text (see
 * encodeValue), so the script reads its lines directly.
 *
 * KEYS: the batch's keys, then one index key per query. ARGV[1]: how many batch keys; then 3 per
 * query: the Redis key prefix of the keys its index names, the batch's largest event time, the
 * allowed lateness. Reply: one value per KEYS entry (a string, a v1 hash as [snapshot, fence], or
 * nil), then per query a flat list of [key as hex, value] for the keys it picked.
 */
export const WINDOW_LOAD_SCRIPT: LuaScript = lua(`-- dspfn state load with window indexes v1
local function read(key)
  local value = redis.pcall('GET', key)
  if type(value) == 'table' and value.err then
    local hash = redis.call('HMGET', key, 'snapshot', 'fence')
    return {hash[1], hash[2]}
  end
  return value
end

local function unhex(text)
  return (string.gsub(text, '..', function(pair) return string.char(tonumber(pair, 16)) end))
end

local n = tonumber(ARGV[1])
local out = {}
for i = 1, #KEYS do out[i] = read(KEYS[i]) end
for j = 1, #KEYS - n do
  local prefix, max, lateness = ARGV[3 * j - 1], tonumber(ARGV[3 * j]), tonumber(ARGV[3 * j + 1])
  local picked = {}
  local value = out[n + j]
  if type(value) == 'string' then
    local body
    if string.byte(value, 9) == 10 then body = 10 else
      local stop = string.find(value, '\\n\\n', 9, true)
      if stop ~= nil then body = stop + 2 end
    end
    if body ~= nil then
      local text = string.sub(value, body)
      local stored, closed = string.match(text, '^#dspfn%-index 1 %x+ %d+ (%S+) (%S+) ')
      if stored ~= nil then
        local watermark = math.max(math.max(tonumber(stored), max) - lateness, tonumber(closed))
        for e, k in string.gmatch(text, '\\n([^\\t\\n]+)\\t(%x*)') do
          if tonumber(e) <= watermark then
            picked[#picked + 1] = k
            local found = read(prefix .. unhex(k))
            if found == nil then found = false end
            picked[#picked + 1] = found
          end
        end
      end
    end
  end
  out[#out + 1] = picked
end
return out
`);

function number(value: number): string {
  return value === Number.NEGATIVE_INFINITY ? '-1e999' : String(value);
}

export function windowLoadArgs(layout: StateLayout, keys: readonly string[], windows: readonly WindowIndexQuery[]): { keys: string[]; args: string[] } {
  const args = [String(keys.length)];
  for (const query of windows) args.push(layout.prefix + query.keyPrefix, number(query.maxEventTime), number(query.allowedLateness));
  return { keys: [...keys, ...windows.map((q) => q.index)].map((key) => layout.prefix + key), args };
}

/** The script's reply as state keys → stored state. */
export function parseWindowLoadReply(keys: readonly string[], windows: readonly WindowIndexQuery[], reply: unknown): Map<string, StoredState> {
  const all = [...keys, ...windows.map((q) => q.index)];
  if (!Array.isArray(reply) || reply.length !== all.length + windows.length) {
    throw new StateStoreError(`the window load script answered ${Array.isArray(reply) ? `an array of ${reply.length}` : typeof reply} for ${all.length} keys`);
  }
  const found = new Map<string, StoredState>();
  parseLegacyReply(all, reply.slice(0, all.length), found);
  windows.forEach((query, j) => {
    const picked: unknown = reply[all.length + j];
    if (!Array.isArray(picked) || picked.length % 2 !== 0) throw new StateStoreError('the window load script answered a malformed list of closing keys');
    const names: string[] = [];
    const values: unknown[] = [];
    for (let i = 0; i < picked.length; i += 2) {
      const hex: unknown = picked[i];
      if (typeof hex !== 'string') throw new StateStoreError('the window load script answered a malformed key');
      names.push(query.keyPrefix + Buffer.from(hex, 'hex').toString('utf8'));
      values.push(picked[i + 1] === false ? null : picked[i + 1]);
    }
    parseLegacyReply(names, values, found);
  });
  return found;
}
