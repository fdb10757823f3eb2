package seal_test

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"errors"
	"testing"

	"github.com/resetbot/resetbot/credentials/seal"
)

var newKey = bytes.Repeat([]byte{0x17}, seal.KeySize)

// TestPreviousKeyOpens: during a rotation the current key seals and a
// previous key only opens; each value names its key.
func TestPreviousKeyOpens(t *testing.T) {
	old := newSealer(t, key)
	sealedOld, err := old.Seal(secret, owner)
	if err != nil {
		t.Fatal(err)
	}
	both, err := seal.New(newKey, key)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := both.Open(sealedOld, owner); err != nil || !bytes.Equal(got, secret) {
		t.Fatalf("Open of an old-key value = %q, %v", got, err)
	}
	if both.IsCurrent(sealedOld) {
		t.Fatal("an old-key value reported as under the current key")
	}
	sealedNew, err := both.Seal(secret, owner)
	if err != nil {
		t.Fatal(err)
	}
	if !both.IsCurrent(sealedNew) {
		t.Fatal("a fresh value is not under the current key")
	}
	if id, ok := seal.SealedBy(sealedNew); !ok || id != both.Current() || !both.Knows(id) {
		t.Fatalf("SealedBy = %v, %v; want the current key %v", id, ok, both.Current())
	}
	if _, err := old.Open(sealedNew, owner); !errors.Is(err, seal.ErrOpen) {
		t.Fatalf("a new-key value opened under the old key alone: %v", err)
	}
	if _, err := seal.New(key, key); err == nil {
		t.Fatal("New accepted the same key twice")
	}
	if _, err := seal.New(key, make([]byte, 16)); err == nil {
		t.Fatal("New accepted a 16-byte previous key")
	}
}

// TestVersion1Opens: values written before keys had ids still open, under
// whichever configured key sealed them, and never count as current.
func TestVersion1Opens(t *testing.T) {
	block, _ := aes.NewCipher(key)
	aead, _ := cipher.NewGCM(block)
	nonce := bytes.Repeat([]byte{9}, aead.NonceSize())
	v1 := aead.Seal(append([]byte{1}, nonce...), nonce, secret, owner)
	both, err := seal.New(newKey, key)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := both.Open(v1, owner); err != nil || !bytes.Equal(got, secret) {
		t.Fatalf("Open of a version 1 value = %q, %v", got, err)
	}
	if both.IsCurrent(v1) {
		t.Fatal("a version 1 value reported as current")
	}
	if _, err := both.Open(v1, []byte("another owner")); !errors.Is(err, seal.ErrOpen) {
		t.Fatalf("a version 1 value opened for another owner: %v", err)
	}
}
