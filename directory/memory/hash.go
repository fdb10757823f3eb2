package memory

import (
	"crypto/pbkdf2"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
)

// hashIterations is low on purpose: the memory directory is for demos and
// tests, and hashing exists so that a memory dump or a debug print of the
// demo shows no password, not to resist offline cracking.
const hashIterations = 4096

// passwordHash is a salted PBKDF2-SHA256 digest of one password.
type passwordHash struct {
	salt   [16]byte
	digest []byte
}

// hashPassword derives a fresh salted hash of pw.
func hashPassword(pw string) passwordHash {
	var h passwordHash
	_, _ = rand.Read(h.salt[:]) // crypto/rand.Read never fails on supported platforms.
	h.digest = derive(pw, h.salt[:])
	return h
}

// matches reports, in constant time, whether pw is the hashed password.
func (h passwordHash) matches(pw string) bool {
	return subtle.ConstantTimeCompare(derive(pw, h.salt[:]), h.digest) == 1
}

func derive(pw string, salt []byte) []byte {
	key, err := pbkdf2.Key(sha256.New, pw, salt, hashIterations, 32)
	if err != nil {
		// Only possible in FIPS-140 only mode with a short key; our
		// parameters are fixed and valid.
		panic("memory: pbkdf2: " + err.Error())
	}
	return key
}
