package rediscreds

import "github.com/redis/go-redis/v9"

// updatePasskeyScript replaces a passkey only if it is still stored, so an
// update racing a removal cannot bring the removed passkey back.
// KEYS: passkeys. ARGV: field, json.
var updatePasskeyScript = redis.NewScript(`
if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 0 then return 0 end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
return 1
`)

// useStepScript records a TOTP step as used if it is newer than the last
// one, in one atomic step, so two requests with the same code cannot both
// pass. Steps stay far below 2^53, where Lua numbers are exact.
// KEYS: totp. ARGV: step.
var useStepScript = redis.NewScript(`
if redis.call('HEXISTS', KEYS[1], 'c') == 0 then return 'missing' end
local last = redis.call('HGET', KEYS[1], 'last')
if last and tonumber(last) >= tonumber(ARGV[1]) then return 'replay' end
redis.call('HSET', KEYS[1], 'last', ARGV[1])
return 'ok'
`)

// resealScript replaces a sealed TOTP secret with its re-sealed copy only
// if it is still the value that was read, so a rotation (or two, from two
// replicas) racing a re-enrolment never brings back the older secret, and
// the used-step memory ("last") is kept as it is.
// KEYS: totp. ARGV: sealed as read, re-sealed, account id.
var resealScript = redis.NewScript(`
if redis.call('HGET', KEYS[1], 'c') ~= ARGV[1] then return 0 end
redis.call('HSET', KEYS[1], 'c', ARGV[2], 'a', ARGV[3])
return 1
`)
