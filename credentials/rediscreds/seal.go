package rediscreds

import (
	"fmt"

	"github.com/resetbot/resetbot/credentials"
)

// seal encrypts a TOTP secret for one account with the account id as the
// additional authenticated data, binding the ciphertext to its account.
func (s *Store) seal(accountID, secret string) ([]byte, error) {
	sealed, err := s.sealer.Seal([]byte(secret), []byte(accountID))
	if err != nil {
		return nil, fmt.Errorf("rediscreds: %w", err)
	}
	return sealed, nil
}

// open reverses seal. Any failure is credentials.ErrCorrupt: the value was
// written under another key, for another account, or altered.
func (s *Store) open(accountID string, sealed []byte) (string, error) {
	plain, err := s.sealer.Open(sealed, []byte(accountID))
	if err != nil {
		return "", fmt.Errorf("rediscreds: TOTP secret: %w: %w", credentials.ErrCorrupt, err)
	}
	return string(plain), nil
}
