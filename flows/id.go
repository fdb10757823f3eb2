package flows

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"strconv"
	"strings"
)

// Shards is how many hash-tag groups the keyspace is split into. Every key
// of one account (its flows, its live-flow index) and the audit stream its
// events go to share one group, so each transition is a single-slot atomic
// step that works on Redis Cluster. Sixteen groups spread a cluster's load
// while letting a reader poll every audit stream cheaply. It is a constant:
// flow ids carry their shard, and the live index is found by hashing the
// account id, so changing it would hide live flows.
const Shards = 16

// ShardOf returns the shard of an account id (or any key with no flow yet).
func ShardOf(key string) int {
	sum := sha256.Sum256([]byte(key))
	return int(binary.BigEndian.Uint32(sum[:4]) % Shards)
}

// NewFlowID makes a random flow id that carries its account's shard:
// "<2 hex shard>-<22 chars of 128 random bits>".
func NewFlowID(accountID string) (string, error) {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("flows: random id: %w", err)
	}
	return fmt.Sprintf("%02x-%s", ShardOf(accountID), base64.RawURLEncoding.EncodeToString(b[:])), nil
}

// ShardOfFlow extracts the shard from a flow id made by NewFlowID.
func ShardOfFlow(id string) (int, error) {
	head, rest, ok := strings.Cut(id, "-")
	if !ok || len(head) != 2 || len(rest) != 22 {
		return 0, fmt.Errorf("%w: malformed flow id", ErrNotFound)
	}
	n, err := strconv.ParseUint(head, 16, 8)
	if err != nil || n >= Shards {
		return 0, fmt.Errorf("%w: malformed flow id", ErrNotFound)
	}
	for _, c := range rest {
		if !isB64URL(c) {
			return 0, fmt.Errorf("%w: malformed flow id", ErrNotFound)
		}
	}
	return int(n), nil
}

func isB64URL(c rune) bool {
	return c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_'
}
