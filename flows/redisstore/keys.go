package redisstore

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"

	"github.com/resetbot/resetbot/flows"
)

// Key layout. Everything of one shard sits under one hash tag
// "{<prefix>-<shard>}" so a Lua script may touch it all on Redis Cluster:
//
//	<prefix>:{<prefix>-07}:flow:<flow id>        string: "<version>|" and the compact flow record (codec.go)
//	<prefix>:{<prefix>-07}:live                  hash: live#(kind, account) -> live flow id (17 bytes)
//	<prefix>:{<prefix>-07}:live:<kind>:<acct#>   string: id of the live flow (earlier releases; read, then removed)
//	<prefix>:{<prefix>-07}:due                   zset: flow id by expiry (ms)
//	<prefix>:{<prefix>-07}:audit                 stream: audit events
//	<prefix>:limit:{<key#>}:<window start>       counter (fixed window)
//	<prefix>:rate:{<key#>}                       zset: use times (ms) of a sliding budget
//
// The live hash has no expiry per field: an entry goes when its flow ends
// (the sweeper ends expired flows); one whose flow vanished unswept is
// replaced by the account's next request of that kind.
//
// Account ids and limit keys are hashed (acct#, key#) so no user-controlled
// text becomes part of a key.
func (s *Store) tag(shard int) string {
	return fmt.Sprintf("%s:{%s-%02x}", s.opt.Prefix, s.opt.Prefix, shard)
}

func (s *Store) flowKey(shard int, id string) string { return s.tag(shard) + ":flow:" + id }
func (s *Store) dueKey(shard int) string             { return s.tag(shard) + ":due" }
func (s *Store) streamKey(shard int) string          { return s.tag(shard) + ":audit" }

// liveKey is where earlier releases kept the live index, one key per
// account and kind. It is still read, and removed when the entry moves.
func (s *Store) liveKey(accountID string, kind flows.Kind) string {
	return s.tag(flows.ShardOf(accountID)) + ":live:" + string(kind) + ":" + digest(accountID)
}

// liveHash is the shard's live index: one hash field per account and kind
// costs a third of a key of its own.
func (s *Store) liveHash(shard int) string { return s.tag(shard) + ":live" }

// liveField is an account's and kind's field in the live index: 16 bytes
// of a hash, so no user-controlled text is stored.
func liveField(accountID string, kind flows.Kind) string {
	sum := sha256.Sum256([]byte(string(kind) + "\x00" + accountID))
	return string(sum[:16])
}

// liveValue is a flow id as the live index holds it: compact when it is
// one flows.NewFlowID makes, else as it is.
func liveValue(id string) string {
	if id == "" {
		return ""
	}
	var w recWriter
	w.flowID(0, 1, id)
	if w.b[0] == 1 {
		return string(w.b[1:])
	}
	return id
}

// liveID undoes liveValue.
func liveID(v string) string {
	if len(v) != 17 {
		return v
	}
	r := recReader{b: []byte(v)}
	return r.flowID()
}

func (s *Store) limitKey(key string, windowStart int64) string {
	return fmt.Sprintf("%s:limit:{%s}:%d", s.opt.Prefix, digest(key), windowStart)
}

func (s *Store) claimKey(key string) string {
	return fmt.Sprintf("%s:claim:{%s}", s.opt.Prefix, digest(key))
}

func (s *Store) rateKey(key string) string {
	return fmt.Sprintf("%s:rate:{%s}", s.opt.Prefix, digest(key))
}

func digest(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:16])
}

type flowKeys struct{ flow, live, oldLive, due, stream, liveField string }

// keysFor returns a flow's keys, refusing a flow whose id does not carry the
// shard of its account (which would split it across slots).
func (s *Store) keysFor(f *flows.Flow) (flowKeys, error) {
	shard, err := flows.ShardOfFlow(f.ID)
	if err != nil {
		return flowKeys{}, err
	}
	if shard != flows.ShardOf(f.Subject.AccountID) {
		return flowKeys{}, fmt.Errorf("redisstore: flow %s is not in its account's shard", f.ID)
	}
	return flowKeys{
		flow:      s.flowKey(shard, f.ID),
		live:      s.liveHash(shard),
		oldLive:   s.liveKey(f.Subject.AccountID, f.Kind),
		liveField: liveField(f.Subject.AccountID, f.Kind),
		due:       s.dueKey(shard),
		stream:    s.streamKey(shard),
	}, nil
}
