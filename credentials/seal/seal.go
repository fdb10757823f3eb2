// Package seal encrypts the small secrets resetbot keeps in Redis (TOTP
// secrets, durable or pending enrollment) with AES-256-GCM, so that a dump
// or a replica of Redis never shows a secret in the clear. It exists so
// that every place that stores such a secret uses one implementation and
// one format under the one configured key, instead of each copying the
// AEAD code.
//
// The caller names what a value belongs to in the additional authenticated
// data (an account id, a flow id): a sealed value copied to another owner
// does not open.
package seal

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"errors"
	"fmt"
)

// KeySize is the length of the key: AES-256.
const KeySize = 32

// version leads every sealed value so the format (or the key, through a
// later key id) can change without guessing what old values are.
const version byte = 1

// ErrOpen: a sealed value does not open: it was sealed under another key or
// for other additional data (moved to another owner), altered, or is not a
// sealed value at all. The cause wrapped with it never contains plaintext.
var ErrOpen = errors.New("seal: sealed value does not open")

// Sealer seals and opens values under one key. It is safe for concurrent
// use.
type Sealer struct {
	aead cipher.AEAD
}

// New makes a Sealer. It fails on a key that is not exactly KeySize bytes
// rather than padding or hashing it, so a misconfigured key is caught at
// start-up instead of silently weakening encryption.
func New(key []byte) (*Sealer, error) {
	if len(key) != KeySize {
		return nil, fmt.Errorf("seal: key is %d bytes, want %d", len(key), KeySize)
	}
	block, err := aes.NewCipher(key) // copies the key
	if err != nil {
		return nil, fmt.Errorf("seal: %w", err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, fmt.Errorf("seal: %w", err)
	}
	return &Sealer{aead: aead}, nil
}

// Seal encrypts plaintext bound to aad: version || nonce || GCM ciphertext
// with tag. The nonce is fresh and random on every call, so sealing the
// same value twice gives two different results.
func (s *Sealer) Seal(plaintext, aad []byte) ([]byte, error) {
	n := s.aead.NonceSize()
	out := make([]byte, 1+n, 1+n+len(plaintext)+s.aead.Overhead())
	out[0] = version
	if _, err := rand.Read(out[1:]); err != nil {
		return nil, fmt.Errorf("seal: nonce: %w", err)
	}
	return s.aead.Seal(out, out[1:], plaintext, aad), nil
}

// Open reverses Seal for the same key and aad. Every failure is ErrOpen.
func (s *Sealer) Open(sealed, aad []byte) ([]byte, error) {
	n := s.aead.NonceSize()
	if len(sealed) < 1+n+s.aead.Overhead() || sealed[0] != version {
		return nil, fmt.Errorf("%w: unknown format", ErrOpen)
	}
	plain, err := s.aead.Open(nil, sealed[1:1+n], sealed[1+n:], aad)
	if err != nil {
		return nil, fmt.Errorf("%w (wrong key, or moved or altered): %w", ErrOpen, err)
	}
	return plain, nil
}
