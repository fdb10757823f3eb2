package auditlog

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"strings"

	"github.com/resetbot/resetbot/flows"
)

// Record is one line of the audit log. It is a struct, not a map, so the
// field order (seq, prev, event) is fixed and a line marshals the same way
// every time; the hash chain covers the exact bytes written, so readers never
// have to re-encode anything to verify it.
type Record struct {
	// Seq numbers records from 1 without gaps, so a removed line shows up.
	Seq uint64 `json:"seq"`
	// Prev is the hex SHA-256 of the previous line's bytes (no newline), or
	// GenesisHash for the first record.
	Prev string `json:"prev"`
	// Event is the audit event as the flows engine recorded it.
	Event flows.Event `json:"event"`
}

// GenesisHash is the prev of the first record: 64 zeros, so every record has
// a prev of the same shape and the first one is recognisable.
var GenesisHash = strings.Repeat("0", sha256.Size*2)

// LineHash returns the chain hash of one line: hex SHA-256 of its bytes
// without the trailing newline. It is exported so operators' tools can
// compute the same anchor Verify reports.
func LineHash(line []byte) string {
	sum := sha256.Sum256(line)
	return hex.EncodeToString(sum[:])
}

// KeyedLineHash returns the hash of one line in a keyed chain: hex
// HMAC-SHA256 under key. Without the key, nobody can recompute a keyed
// chain after rewriting it, which a plain SHA-256 chain cannot promise.
func KeyedLineHash(key, line []byte) string {
	m := hmac.New(sha256.New, key)
	m.Write(line)
	return hex.EncodeToString(m.Sum(nil))
}

// hasher returns the line hash of a chain: keyed when key is set.
func hasher(key []byte) func([]byte) string {
	if len(key) == 0 {
		return LineHash
	}
	k := append([]byte(nil), key...)
	return func(line []byte) string { return KeyedLineHash(k, line) }
}

// validHash reports whether s looks like a LineHash result (lower-case hex).
func validHash(s string) bool {
	if len(s) != sha256.Size*2 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}
