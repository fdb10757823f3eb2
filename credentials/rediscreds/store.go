// Package rediscreds is the Redis implementation of credentials.Store, on a
// go-redis UniversalClient so one code path serves a single server, Sentinel
// and Cluster.
//
// The keys have no TTL: they are the only copy of a user's passkeys and TOTP
// secret, so a Redis that loses them on restart forces every user to
// re-enrol through the helpdesk. Production Redis must persist with AOF
// (appendonly yes, appendfsync everysec or always) and be backed up.
//
// TOTP secrets are sealed with AES-256-GCM under a key from configuration,
// with the account id as additional authenticated data, so a dump of Redis
// does not reveal them and a ciphertext copied onto another account does
// not decrypt.
package rediscreds

import (
	"errors"
	"fmt"
	"strings"

	"github.com/redis/go-redis/v9"

	"github.com/resetbot/resetbot/credentials"
	"github.com/resetbot/resetbot/credentials/seal"
)

// KeySize is the length of the TOTP encryption key: AES-256.
const KeySize = seal.KeySize

// Options configure the store.
type Options struct {
	// Prefix starts every key, so several deployments (or the flows store
	// of the same deployment) can share a Redis. Default "rb". It must not
	// contain '{' or '}', which would change the Redis Cluster hash tag.
	Prefix string
	// Key is the 32-byte AES-256 key that seals TOTP secrets. Losing or
	// changing it makes every enrolled TOTP unreadable (ErrCorrupt), so it
	// belongs in the secret store next to the other production secrets.
	Key []byte
	// PreviousKeys still open what they sealed, but never seal: during a
	// key rotation every replica lists the old key here and the new one as
	// Key, so a secret reads back whichever key sealed it (RotateKey
	// re-seals the rest).
	PreviousKeys [][]byte
}

// Store implements credentials.Store on Redis.
type Store struct {
	rdb    redis.UniversalClient
	prefix string
	sealer *seal.Sealer
}

var _ credentials.Store = (*Store)(nil)

// New wraps a go-redis client. The caller owns the client and closes it. It
// fails on a key that is not exactly KeySize bytes rather than padding or
// hashing it, so a misconfigured key is caught at start-up instead of
// silently weakening encryption.
func New(rdb redis.UniversalClient, opt Options) (*Store, error) {
	if rdb == nil {
		return nil, errors.New("rediscreds: nil redis client")
	}
	if len(opt.Key) != KeySize {
		return nil, fmt.Errorf("rediscreds: TOTP encryption key is %d bytes, want %d", len(opt.Key), KeySize)
	}
	if opt.Prefix == "" {
		opt.Prefix = "rb"
	}
	if strings.ContainsAny(opt.Prefix, "{}") {
		return nil, errors.New("rediscreds: key prefix must not contain '{' or '}'")
	}
	for _, k := range opt.PreviousKeys {
		if len(k) != KeySize {
			return nil, fmt.Errorf("rediscreds: previous TOTP encryption key is %d bytes, want %d", len(k), KeySize)
		}
	}
	sealer, err := seal.New(opt.Key, opt.PreviousKeys...)
	if err != nil {
		return nil, fmt.Errorf("rediscreds: TOTP encryption key: %w", err)
	}
	return &Store{rdb: rdb, prefix: opt.Prefix, sealer: sealer}, nil
}
