package seal_test

import (
	"bytes"
	"errors"
	"testing"

	"github.com/resetbot/resetbot/credentials/seal"
)

var (
	key    = bytes.Repeat([]byte{0x42}, seal.KeySize)
	secret = []byte("JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP")
	owner  = []byte("account-1")
)

func newSealer(t *testing.T, k []byte) *seal.Sealer {
	t.Helper()
	s, err := seal.New(k)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return s
}

func TestRoundTrip(t *testing.T) {
	s := newSealer(t, key)
	sealed, err := s.Seal(secret, owner)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(sealed, secret) {
		t.Fatal("the sealed value holds the plaintext")
	}
	got, err := s.Open(sealed, owner)
	if err != nil || !bytes.Equal(got, secret) {
		t.Fatalf("Open = %q, %v; want the plaintext", got, err)
	}
	again, err := s.Seal(secret, owner)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Equal(sealed, again) {
		t.Fatal("the same value sealed twice gave the same result: nonce reused")
	}
}

func TestOpenRefuses(t *testing.T) {
	s := newSealer(t, key)
	sealed, err := s.Seal(secret, owner)
	if err != nil {
		t.Fatal(err)
	}
	flip := func(i int) []byte {
		b := bytes.Clone(sealed)
		b[i] ^= 0x01
		return b
	}
	tests := []struct {
		name   string
		sealer *seal.Sealer
		value  []byte
		aad    []byte
	}{
		{"other owner", s, sealed, []byte("account-2")},
		{"no owner", s, sealed, nil},
		{"other key", newSealer(t, bytes.Repeat([]byte{0x43}, seal.KeySize)), sealed, owner},
		{"flipped ciphertext bit", s, flip(len(sealed) - 20), owner},
		{"flipped tag bit", s, flip(len(sealed) - 1), owner},
		{"flipped nonce bit", s, flip(3), owner},
		{"unknown version", s, flip(0), owner},
		{"truncated", s, sealed[:10], owner},
		{"empty", s, nil, owner},
		{"plaintext", s, secret, owner},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := tc.sealer.Open(tc.value, tc.aad)
			if !errors.Is(err, seal.ErrOpen) || got != nil {
				t.Fatalf("Open = %q, %v; want ErrOpen", got, err)
			}
			if bytes.Contains([]byte(err.Error()), secret) {
				t.Fatal("the error names the plaintext")
			}
		})
	}
}

func TestNewRejects(t *testing.T) {
	tests := []struct {
		name string
		key  []byte
	}{
		{"no key", nil},
		{"AES-128 key", make([]byte, 16)},
		{"31 bytes", make([]byte, 31)},
		{"33 bytes", make([]byte, 33)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if s, err := seal.New(tc.key); err == nil || s != nil {
				t.Fatalf("New = (%v, %v), want an error", s, err)
			}
		})
	}
}
