package rediscreds

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"sort"

	"github.com/resetbot/resetbot/credentials"
)

// field is a passkey's hash field: its credential id in base64url, the form
// WebAuthn itself uses on the wire.
func field(credentialID []byte) (string, error) {
	if len(credentialID) == 0 {
		return "", errors.New("rediscreds: empty credential id")
	}
	return base64.RawURLEncoding.EncodeToString(credentialID), nil
}

// Passkeys implements credentials.Store. An account without passkeys gets
// an empty list, not an error.
func (s *Store) Passkeys(ctx context.Context, accountID string) ([]credentials.Passkey, error) {
	k, err := s.keys(accountID)
	if err != nil {
		return nil, err
	}
	vals, err := s.rdb.HVals(ctx, k.passkeys).Result()
	if err != nil {
		return nil, unavailable("list passkeys", err)
	}
	out := make([]credentials.Passkey, 0, len(vals))
	for _, v := range vals {
		var p credentials.Passkey
		if err := json.Unmarshal([]byte(v), &p); err != nil {
			return nil, fmt.Errorf("rediscreds: decode passkey: %w: %w", credentials.ErrCorrupt, err)
		}
		out = append(out, p)
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if !a.CreatedAt.Equal(b.CreatedAt) {
			return a.CreatedAt.Before(b.CreatedAt)
		}
		return string(a.Credential.ID) < string(b.Credential.ID)
	})
	return out, nil
}

// AddPasskey implements credentials.Store with HSETNX, so of two concurrent
// registrations of the same credential exactly one wins.
func (s *Store) AddPasskey(ctx context.Context, accountID string, p credentials.Passkey) error {
	k, f, data, err := s.passkeyArgs(accountID, p)
	if err != nil {
		return err
	}
	added, err := s.rdb.HSetNX(ctx, k.passkeys, f, data).Result()
	if err != nil {
		return unavailable("add passkey", err)
	}
	if !added {
		return credentials.ErrExists
	}
	return nil
}

// UpdatePasskey implements credentials.Store.
func (s *Store) UpdatePasskey(ctx context.Context, accountID string, p credentials.Passkey) error {
	k, f, data, err := s.passkeyArgs(accountID, p)
	if err != nil {
		return err
	}
	n, err := updatePasskeyScript.Run(ctx, s.rdb, []string{k.passkeys}, f, data).Int()
	if err != nil {
		return unavailable("update passkey", err)
	}
	if n == 0 {
		return credentials.ErrNotFound
	}
	return nil
}

// RemovePasskey implements credentials.Store.
func (s *Store) RemovePasskey(ctx context.Context, accountID string, credentialID []byte) error {
	k, err := s.keys(accountID)
	if err != nil {
		return err
	}
	f, err := field(credentialID)
	if err != nil {
		return err
	}
	n, err := s.rdb.HDel(ctx, k.passkeys, f).Result()
	if err != nil {
		return unavailable("remove passkey", err)
	}
	if n == 0 {
		return credentials.ErrNotFound
	}
	return nil
}

func (s *Store) passkeyArgs(accountID string, p credentials.Passkey) (accountKeys, string, string, error) {
	k, err := s.keys(accountID)
	if err != nil {
		return accountKeys{}, "", "", err
	}
	f, err := field(p.Credential.ID)
	if err != nil {
		return accountKeys{}, "", "", err
	}
	data, err := json.Marshal(p)
	if err != nil {
		return accountKeys{}, "", "", fmt.Errorf("rediscreds: encode passkey: %w", err)
	}
	return k, f, string(data), nil
}
