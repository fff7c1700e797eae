import { lua } from './commit-script.ts';

/**
 * What `dspfn state reset` runs: per key, the snapshot is dropped and the fence kept, atomically
 * with respect to commits (a fence read by the CLI and written back later could undo a commit made
 * in between, letting its records be applied twice). The value written is a v2 value with an empty
 * snapshot, which the next batch reads as "start afresh behind this fence". A key whose fence is
 * empty has nothing to keep and is deleted.
 *
 * ARGV[1]: TTL in ms ('0' for none); ARGV[2]: the commit-time trailer of the values written.
 * Replies one character per key: r reset, d deleted, n not found. Every key is read before anything
 * is written, so a value dspfn did not write fails the call with nothing changed.
 */
export const RESET_SCRIPT = lua(`-- dspfn state reset v2
local ttl = tonumber(ARGV[1])
local trailer = ARGV[2]
local header = 'dspfn:2\\n'
local fences = {}
for i = 1, #KEYS do
  local kind = redis.call('TYPE', KEYS[i]).ok
  if kind == 'none' then
    fences[i] = false
  elseif kind == 'hash' then
    fences[i] = redis.call('HGET', KEYS[i], 'fence') or ''
  elseif kind == 'string' then
    local value = redis.call('GET', KEYS[i])
    if string.sub(value, 1, 8) ~= header then
      return redis.error_reply('ERR state key ' .. KEYS[i] .. ' holds a value dspfn did not write')
    end
    if string.byte(value, 9) == 10 then
      fences[i] = ''
    else
      local stop = string.find(value, '\\n\\n', 9, true)
      if stop == nil then return redis.error_reply('ERR state key ' .. KEYS[i] .. ' holds a value dspfn did not write') end
      fences[i] = string.sub(value, 9, stop)
    end
  else
    return redis.error_reply('ERR state key ' .. KEYS[i] .. ' is a ' .. kind .. ', not dspfn state')
  end
end
local status = {}
for i = 1, #KEYS do
  if fences[i] == false then
    status[i] = 'n'
  elseif fences[i] == '' then
    redis.call('DEL', KEYS[i])
    status[i] = 'd'
  else
    local value = header .. fences[i] .. '\\n' .. trailer
    if ttl > 0 then redis.call('SET', KEYS[i], value, 'PX', ttl) else redis.call('SET', KEYS[i], value) end
    status[i] = 'r'
  end
end
return table.concat(status)
`);

/**
 * What `dspfn state import` runs: SET of each value (ARGV[1] TTL in ms, '0' for none, then one
 * value per key), replacing whatever the key held, a layout v1 hash included. Replies the count.
 */
export const WRITE_SCRIPT = lua(`-- dspfn state write v2
local ttl = tonumber(ARGV[1])
for i = 1, #KEYS do
  if ttl > 0 then redis.call('SET', KEYS[i], ARGV[i + 1], 'PX', ttl) else redis.call('SET', KEYS[i], ARGV[i + 1]) end
end
return #KEYS
`);

/** Escapes the glob characters of SCAN MATCH, so a prefix is matched literally. */
export function globEscape(text: string): string {
  return text.replace(/[*?[\]\\]/g, (c) => `\\${c}`);
}
