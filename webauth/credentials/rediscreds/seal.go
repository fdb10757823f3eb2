package rediscreds

import (
	"crypto/rand"
	"fmt"

	"github.com/resetbot/resetbot/webauth/credentials"
)

// sealVersion leads every sealed value so the format (or the key, through a
// later key id) can change without guessing what old values are.
const sealVersion byte = 1

// seal encrypts a TOTP secret for one account: version || nonce || GCM
// ciphertext with tag. The nonce is fresh and random on every write, and the
// account id is the additional authenticated data, binding the ciphertext
// to its account.
func (s *Store) seal(accountID, secret string) ([]byte, error) {
	n := s.aead.NonceSize()
	out := make([]byte, 1+n, 1+n+len(secret)+s.aead.Overhead())
	out[0] = sealVersion
	if _, err := rand.Read(out[1:]); err != nil {
		return nil, fmt.Errorf("rediscreds: nonce: %w", err)
	}
	return s.aead.Seal(out, out[1:], []byte(secret), []byte(accountID)), nil
}

// open reverses seal. Any failure is credentials.ErrCorrupt: the value was
// written under another key, for another account, or altered.
func (s *Store) open(accountID string, sealed []byte) (string, error) {
	n := s.aead.NonceSize()
	if len(sealed) < 1+n+s.aead.Overhead() || sealed[0] != sealVersion {
		return "", fmt.Errorf("rediscreds: TOTP secret has an unknown format: %w", credentials.ErrCorrupt)
	}
	plain, err := s.aead.Open(nil, sealed[1:1+n], sealed[1+n:], []byte(accountID))
	if err != nil {
		return "", fmt.Errorf("rediscreds: TOTP secret does not decrypt (wrong key, or moved or altered): %w: %w",
			credentials.ErrCorrupt, err)
	}
	return string(plain), nil
}
