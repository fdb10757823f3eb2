// Package seal encrypts the small secrets resetbot keeps in Redis (TOTP
// secrets, durable or pending enrollment) with AES-256-GCM, so that a dump
// or a replica of Redis never shows a secret in the clear. It exists so
// that every place that stores such a secret uses one implementation and
// one format under the configured key, instead of each copying the AEAD
// code.
//
// The caller names what a value belongs to in the additional authenticated
// data (an account id, a flow id): a sealed value copied to another owner
// does not open.
//
// A Sealer holds one current key, which seals, and any number of previous
// keys, which only open: that is what lets an operator rotate the key
// without downtime (every replica reads both while the values are re-sealed).
// Each sealed value names the key that sealed it by a short key id, so a
// rotation knows what is left to do and opening never has to guess.
package seal

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"fmt"
)

// KeySize is the length of the key: AES-256.
const KeySize = 32

// Format versions lead every sealed value so the format can change without
// guessing what old values are. Version 1 (version || nonce || ciphertext)
// was written before keys had ids; it is still opened, by trying each key.
// Version 2 is version || key id || nonce || ciphertext.
const (
	version1 byte = 1
	version2 byte = 2
)

// IDSize is the length of a key id.
const IDSize = 4

// ErrOpen: a sealed value does not open: it was sealed under another key or
// for other additional data (moved to another owner), altered, or is not a
// sealed value at all. The cause wrapped with it never contains plaintext.
var ErrOpen = errors.New("seal: sealed value does not open")

// KeyID names a key in the values it sealed without revealing it: the
// first IDSize bytes of a domain-separated SHA-256 of the key (a 32-bit
// digest of a random 256-bit key tells nothing about it).
type KeyID [IDSize]byte

// String is the id in hex, for messages and logs.
func (id KeyID) String() string { return fmt.Sprintf("%x", id[:]) }

func keyID(key []byte) KeyID {
	sum := sha256.Sum256(append([]byte("resetbot seal key id\x00"), key...))
	var id KeyID
	copy(id[:], sum[:IDSize])
	return id
}

type keyed struct {
	id   KeyID
	aead cipher.AEAD
}

// Sealer seals under its current key and opens under the current or any
// previous key. It is safe for concurrent use.
type Sealer struct {
	keys []keyed // keys[0] is the current key
}

// New makes a Sealer that seals with key and also opens what previous keys
// sealed. It fails on a key that is not exactly KeySize bytes rather than
// padding or hashing it, so a misconfigured key is caught at start-up
// instead of silently weakening encryption; and on two keys with one id.
func New(key []byte, previous ...[]byte) (*Sealer, error) {
	s := &Sealer{}
	for i, k := range append([][]byte{key}, previous...) {
		if len(k) != KeySize {
			return nil, fmt.Errorf("seal: key is %d bytes, want %d", len(k), KeySize)
		}
		block, err := aes.NewCipher(k) // copies the key
		if err != nil {
			return nil, fmt.Errorf("seal: %w", err)
		}
		aead, err := cipher.NewGCM(block)
		if err != nil {
			return nil, fmt.Errorf("seal: %w", err)
		}
		id := keyID(k)
		for _, o := range s.keys {
			if o.id == id {
				return nil, fmt.Errorf("seal: key %d is given twice", i+1)
			}
		}
		s.keys = append(s.keys, keyed{id: id, aead: aead})
	}
	return s, nil
}

// Current is the id of the key that seals.
func (s *Sealer) Current() KeyID { return s.keys[0].id }

// Knows reports whether id is one of this Sealer's keys.
func (s *Sealer) Knows(id KeyID) bool { return s.find(id) != nil }

func (s *Sealer) find(id KeyID) cipher.AEAD {
	for _, k := range s.keys {
		if k.id == id {
			return k.aead
		}
	}
	return nil
}

// SealedBy returns the id of the key that sealed a value; ok is false for a
// version 1 value (which names no key) or anything that is not a sealed
// value. It does not decrypt.
func SealedBy(sealed []byte) (id KeyID, ok bool) {
	if len(sealed) < 1+IDSize || sealed[0] != version2 {
		return KeyID{}, false
	}
	copy(id[:], sealed[1:1+IDSize])
	return id, true
}

// Seal encrypts plaintext bound to aad under the current key:
// version || key id || nonce || GCM ciphertext with tag. The nonce is fresh
// and random on every call, so sealing the same value twice gives two
// different results.
func (s *Sealer) Seal(plaintext, aad []byte) ([]byte, error) {
	k := s.keys[0]
	n := k.aead.NonceSize()
	head := 1 + IDSize
	out := make([]byte, head+n, head+n+len(plaintext)+k.aead.Overhead())
	out[0] = version2
	copy(out[1:], k.id[:])
	if _, err := rand.Read(out[head:]); err != nil {
		return nil, fmt.Errorf("seal: nonce: %w", err)
	}
	return k.aead.Seal(out, out[head:], plaintext, aad), nil
}

// Open reverses Seal for the same aad under whichever of the keys sealed
// the value. Every failure is ErrOpen.
func (s *Sealer) Open(sealed, aad []byte) ([]byte, error) {
	if len(sealed) == 0 {
		return nil, fmt.Errorf("%w: unknown format", ErrOpen)
	}
	switch sealed[0] {
	case version2:
		id, _ := SealedBy(sealed)
		aead := s.find(id)
		if aead == nil {
			return nil, fmt.Errorf("%w: sealed under key %s, which is not configured", ErrOpen, id)
		}
		return open(aead, sealed[1+IDSize:], aad)
	case version1:
		var err error
		for _, k := range s.keys {
			var plain []byte
			if plain, err = open(k.aead, sealed[1:], aad); err == nil {
				return plain, nil
			}
		}
		return nil, err
	}
	return nil, fmt.Errorf("%w: unknown format", ErrOpen)
}

func open(aead cipher.AEAD, body, aad []byte) ([]byte, error) {
	n := aead.NonceSize()
	if len(body) < n+aead.Overhead() {
		return nil, fmt.Errorf("%w: unknown format", ErrOpen)
	}
	plain, err := aead.Open(nil, body[:n], body[n:], aad)
	if err != nil {
		return nil, fmt.Errorf("%w (wrong key, or moved or altered): %w", ErrOpen, err)
	}
	return plain, nil
}

// IsCurrent reports whether a sealed value was sealed by the current key, so
// a rotation can skip it without decrypting.
func (s *Sealer) IsCurrent(sealed []byte) bool {
	id, ok := SealedBy(sealed)
	return ok && id == s.keys[0].id
}
