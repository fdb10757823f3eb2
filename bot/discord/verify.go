package discord

import (
	"crypto/ed25519"
	"encoding/hex"
	"fmt"
	"strconv"
	"time"
)

// Signature freshness. Discord signs "timestamp + body" with the
// application's key; the key proves the sender, the timestamp stops a
// captured request from being replayed later. Discord's timestamps are
// whole seconds, so a few seconds of our clock running behind are allowed
// before a timestamp counts as "in the future".
const (
	maxSignatureAge  = 5 * time.Minute
	maxSignatureSkew = 5 * time.Second
)

// Headers Discord signs interactions with.
const (
	HeaderSignature = "X-Signature-Ed25519"
	HeaderTimestamp = "X-Signature-Timestamp"
)

// verify checks one interaction's signature and timestamp. It runs before
// anything looks at the body. Errors wrap errUnauthorized; their detail is
// for the log only.
func verify(key ed25519.PublicKey, signature, timestamp string, body []byte, now time.Time) error {
	if signature == "" || timestamp == "" {
		return fmt.Errorf("%w: missing signature headers", errUnauthorized)
	}
	sig, err := hex.DecodeString(signature)
	if err != nil || len(sig) != ed25519.SignatureSize {
		return fmt.Errorf("%w: signature is not %d hex bytes", errUnauthorized, ed25519.SignatureSize)
	}
	secs, err := strconv.ParseInt(timestamp, 10, 64)
	if err != nil {
		return fmt.Errorf("%w: timestamp is not a number", errUnauthorized)
	}
	at := time.Unix(secs, 0)
	switch {
	case now.Sub(at) > maxSignatureAge:
		return fmt.Errorf("%w: timestamp %s is older than %s", errUnauthorized, at.UTC().Format(time.RFC3339), maxSignatureAge)
	case at.Sub(now) > maxSignatureSkew:
		return fmt.Errorf("%w: timestamp %s is in the future", errUnauthorized, at.UTC().Format(time.RFC3339))
	}
	msg := make([]byte, 0, len(timestamp)+len(body))
	msg = append(append(msg, timestamp...), body...)
	if !ed25519.Verify(key, msg, sig) {
		return fmt.Errorf("%w: signature does not match", errUnauthorized)
	}
	return nil
}
