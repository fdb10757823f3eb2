package rediscreds

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
)

// Key layout. Both keys of one account share the hash tag
// "{<sha256(account id)[:16] in hex>}", so they sit in one Redis Cluster slot
// and a script or MULTI may touch both:
//
//	<prefix>:cred:{<acct#>}:passkeys   hash: base64url credential id -> Passkey JSON
//	<prefix>:cred:{<acct#>}:totp       hash: c (sealed secret), last (last used step),
//	                                         a (account id, so a key rotation can re-seal
//	                                         without the directory: the id is the AAD)
//
// The account id is hashed so no directory-controlled text (which may contain
// braces or colons) becomes part of a key. No key has a TTL.
type accountKeys struct{ passkeys, totp string }

func (s *Store) keys(accountID string) (accountKeys, error) {
	if accountID == "" {
		return accountKeys{}, errors.New("rediscreds: empty account id")
	}
	sum := sha256.Sum256([]byte(accountID))
	base := s.prefix + ":cred:{" + hex.EncodeToString(sum[:16]) + "}:"
	return accountKeys{passkeys: base + "passkeys", totp: base + "totp"}, nil
}

// Fields of the totp hash.
const (
	fieldSealed   = "c"
	fieldLastStep = "last"
	fieldAccount  = "a"
)
