package flows

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"strings"
)

// Purpose binds a link token to what it may be used for, so a token minted
// for one thing (a reset link) can never be redeemed as another (an
// enrollment link) even for the same flow.
type Purpose string

// The link purposes.
const (
	PurposeReset  Purpose = "reset"
	PurposeUnlock Purpose = "unlock"
	PurposeEnroll Purpose = "enroll"
	// PurposeApprove is an approver's confirmation link.
	PurposeApprove Purpose = "approve"
)

// purposeOf is the purpose a flow's link is minted for: one per kind, so
// an approver's confirmation link is never a reset link.
func purposeOf(k Kind) Purpose { return Purpose(k) }

// secretBytes is the randomness of a link secret: 256 bits, twice the
// required minimum, so the hash can never be brute-forced offline.
const secretBytes = 32

// newSecret returns a fresh random secret in URL-safe form.
func newSecret() (string, error) {
	var b [secretBytes]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("flows: random secret: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b[:]), nil
}

// hashToken is what the store keeps instead of the token: SHA-256 over the
// purpose, the flow id and the secret. A leaked store holds nothing usable.
func hashToken(p Purpose, flowID, secret string) string {
	h := sha256.New()
	h.Write([]byte(p))
	h.Write([]byte{0})
	h.Write([]byte(flowID))
	h.Write([]byte{0})
	h.Write([]byte(secret))
	return hex.EncodeToString(h.Sum(nil))
}

// hashSecret hashes a browser-binding secret.
func hashSecret(secret string) string {
	sum := sha256.Sum256([]byte("binding\x00" + secret))
	return hex.EncodeToString(sum[:])
}

// equalHash compares two hex hashes in constant time.
func equalHash(a, b string) bool {
	return a != "" && subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1
}

// makeToken joins a flow id and a secret into the link token. The flow id in
// the clear lets the store find the flow in one slot; only the secret proves
// possession.
func makeToken(flowID, secret string) string { return flowID + "." + secret }

// ParseToken splits a link token into flow id and secret, rejecting anything
// that is not exactly the shape makeToken produces.
func ParseToken(token string) (flowID, secret string, err error) {
	id, sec, ok := strings.Cut(token, ".")
	if !ok || len(sec) != base64.RawURLEncoding.EncodedLen(secretBytes) {
		return "", "", ErrInvalidToken
	}
	if _, err := ShardOfFlow(id); err != nil {
		return "", "", ErrInvalidToken
	}
	for _, c := range sec {
		if !isB64URL(c) {
			return "", "", ErrInvalidToken
		}
	}
	return id, sec, nil
}
