package redisstore

import "github.com/redis/go-redis/v9"

// createScript stores a new flow if its id is free and the live index still
// names the expected previous flow; indexes it as live and due; appends the
// audit events. The live index is the shard's hash; an entry an earlier
// release left in a key of its own counts until this replaces it. KEYS:
// flow, live hash, due, stream, old live key. ARGV: record ("1|" and the
// compact flow record), id, prevLive, keepUntilMs, live field, live value,
// prevLive's live value, dueScore, events... The stream is not trimmed
// here: MaintainStreams trims it, never below what a group still needs.
var createScript = redis.NewScript(`
if redis.call('EXISTS', KEYS[1]) == 1 then return 'exists' end
local cur = redis.call('HGET', KEYS[2], ARGV[5])
if cur then
  if cur ~= ARGV[7] then return 'conflict' end
else
  local old = redis.call('GET', KEYS[5])
  if not old then old = '' end
  if old ~= ARGV[3] then return 'conflict' end
end
redis.call('SET', KEYS[1], ARGV[1])
redis.call('PEXPIREAT', KEYS[1], ARGV[4])
redis.call('HSET', KEYS[2], ARGV[5], ARGV[6])
redis.call('DEL', KEYS[5])
redis.call('ZADD', KEYS[3], ARGV[8], ARGV[2])
for i = 9, #ARGV do
  redis.call('XADD', KEYS[4], '*', 'e', ARGV[i])
end
return 'ok'
`)

// updateScript is the compare-and-swap: it writes the flow only if the stored
// version is the expected one, and in the same step appends the events and,
// for a terminal state, drops the flow from the live index and the expiry
// schedule. The stored record starts with its version and "|"; a flow
// stored by an earlier version is a hash (v: version, d: flow JSON) and is
// replaced by the compact record on its first update. KEYS: flow, live,
// due, stream. ARGV: expectedVersion, record (next version, "|", the
// compact flow record), id, terminal (0/1), keepUntilMs, dueScore, live
// field, live value, events... KEYS also: old live key (see createScript).
var updateScript = redis.NewScript(`
local t = redis.call('TYPE', KEYS[1]).ok
local v
if t == 'string' then
  v = string.match(redis.call('GET', KEYS[1]), '^(%d+)|')
elseif t == 'hash' then
  v = redis.call('HGET', KEYS[1], 'v')
end
if not v then return 'missing' end
if v ~= ARGV[1] then return 'conflict' end
redis.call('SET', KEYS[1], ARGV[2])
redis.call('PEXPIREAT', KEYS[1], ARGV[5])
if ARGV[4] == '1' then
  redis.call('ZREM', KEYS[3], ARGV[3])
  if redis.call('HGET', KEYS[2], ARGV[7]) == ARGV[8] then redis.call('HDEL', KEYS[2], ARGV[7]) end
  if redis.call('GET', KEYS[5]) == ARGV[3] then redis.call('DEL', KEYS[5]) end
else
  redis.call('ZADD', KEYS[3], ARGV[6], ARGV[3])
end
for i = 9, #ARGV do
  redis.call('XADD', KEYS[4], '*', 'e', ARGV[i])
end
return 'ok'
`)

// appendScript appends audit events to a shard's stream, each in its short
// form (referring to its flow's record for the subject) when the record
// starts with exactly the event's subject fields, else whole. KEYS: stream,
// then per event its flow key (the stream again when it has none here).
// ARGV: the tag after which the subject fields end, then per event: the
// subject prefix ("" for none), the short record, the whole record.
var appendScript = redis.NewScript(`
local last = tonumber(ARGV[1])
for i = 1, (#ARGV - 1) / 3 do
  local pre, short, rec = ARGV[3*i-1], ARGV[3*i], ARGV[3*i+1]
  if pre ~= '' and redis.call('TYPE', KEYS[1+i]).ok == 'string' then
    local f = redis.call('GET', KEYS[1+i])
    local bar = string.find(f, '|', 1, true)
    if bar and string.byte(f, bar + 1) == 1 and string.sub(f, bar + 2, bar + 1 + #pre) == pre then
      local nx = string.byte(f, bar + 2 + #pre)
      if nx == nil or nx > last then rec = short end
    end
  end
  redis.call('XADD', KEYS[1], '*', 'e', rec)
end
return 'ok'
`)
