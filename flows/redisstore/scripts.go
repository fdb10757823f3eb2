package redisstore

import "github.com/redis/go-redis/v9"

// createScript stores a new flow if its id is free and the live index still
// names the expected previous flow; indexes it as live and due; appends the
// audit events. KEYS: flow, live, due, stream. ARGV: json, id, prevLive,
// keepUntilMs, liveUntilMs, dueScore, events... The stream is not trimmed
// here: MaintainStreams trims it, never below what a group still needs.
var createScript = redis.NewScript(`
if redis.call('EXISTS', KEYS[1]) == 1 then return 'exists' end
local cur = redis.call('GET', KEYS[2])
if not cur then cur = '' end
if cur ~= ARGV[3] then return 'conflict' end
redis.call('HSET', KEYS[1], 'v', '1', 'd', ARGV[1])
redis.call('PEXPIREAT', KEYS[1], ARGV[4])
redis.call('SET', KEYS[2], ARGV[2])
redis.call('PEXPIREAT', KEYS[2], ARGV[5])
redis.call('ZADD', KEYS[3], ARGV[6], ARGV[2])
for i = 7, #ARGV do
  redis.call('XADD', KEYS[4], '*', 'e', ARGV[i])
end
return 'ok'
`)

// updateScript is the compare-and-swap: it writes the flow only if the stored
// version is the expected one, and in the same step appends the events and,
// for a terminal state, drops the flow from the live index and the expiry
// schedule. KEYS: flow, live, due, stream. ARGV: expectedVersion, json, id,
// terminal (0/1), keepUntilMs, dueScore, events...
var updateScript = redis.NewScript(`
local v = redis.call('HGET', KEYS[1], 'v')
if not v then return 'missing' end
if v ~= ARGV[1] then return 'conflict' end
redis.call('HSET', KEYS[1], 'v', tostring(tonumber(ARGV[1]) + 1), 'd', ARGV[2])
redis.call('PEXPIREAT', KEYS[1], ARGV[5])
if ARGV[4] == '1' then
  redis.call('ZREM', KEYS[3], ARGV[3])
  if redis.call('GET', KEYS[2]) == ARGV[3] then redis.call('DEL', KEYS[2]) end
else
  redis.call('ZADD', KEYS[3], ARGV[6], ARGV[3])
end
for i = 7, #ARGV do
  redis.call('XADD', KEYS[4], '*', 'e', ARGV[i])
end
return 'ok'
`)
