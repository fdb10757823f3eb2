// Package credentials keeps the factors a user proves themselves with: their
// passkeys (WebAuthn credentials) and an optional authenticator-app (TOTP)
// secret. Unlike flows these are durable: they live in Redis without a TTL
// (Redis must persist, AOF, in production) and are keyed on the immutable
// directory account id. TOTP secrets are encrypted with AES-256-GCM under a
// key from configuration, and every accepted TOTP time step is remembered so
// a code works exactly once.
package credentials

import (
	"context"
	"errors"
	"time"

	"github.com/go-webauthn/webauthn/webauthn"
)

// Errors of the credential store.
var (
	// ErrNotFound: no such credential, or no TOTP enrolled.
	ErrNotFound = errors.New("credentials: not found")
	// ErrExists: a passkey with this credential id is already stored.
	ErrExists = errors.New("credentials: already enrolled")
	// ErrReplay: the TOTP time step was already used (or an older one).
	ErrReplay = errors.New("credentials: code already used")
	// ErrUnavailable: the backing store could not be reached. Backends wrap
	// the cause with it, so the log gets the detail and the caller can
	// errors.Is it into "try again shortly".
	ErrUnavailable = errors.New("credentials: store unavailable")
	// ErrCorrupt: a stored credential cannot be read back: a TOTP secret
	// that does not decrypt (wrong key, or a ciphertext tampered with or
	// copied from another account) or an undecodable passkey record. The
	// user must re-enrol; the store never falls back to trusting it.
	ErrCorrupt = errors.New("credentials: stored credential is unreadable")
)

// Passkey is one registered WebAuthn credential of an account, with the
// name the user gave the device so they can recognise and remove it.
type Passkey struct {
	Credential webauthn.Credential `json:"credential"`
	Name       string              `json:"name"`
	CreatedAt  time.Time           `json:"created_at"`
	LastUsedAt time.Time           `json:"last_used_at,omitempty"`
}

// Summary is what an account has enrolled, for "/reset status" and reports.
type Summary struct {
	Passkeys int
	TOTP     bool
}

// Store is the durable credential store.
type Store interface {
	// Passkeys lists the account's passkeys, oldest first.
	Passkeys(ctx context.Context, accountID string) ([]Passkey, error)
	// AddPasskey stores a new passkey; ErrExists if its id is known.
	AddPasskey(ctx context.Context, accountID string, p Passkey) error
	// UpdatePasskey replaces a stored passkey (sign count, backup state,
	// last use after a login); ErrNotFound if absent.
	UpdatePasskey(ctx context.Context, accountID string, p Passkey) error
	// RemovePasskey deletes one passkey by credential id; ErrNotFound if
	// absent.
	RemovePasskey(ctx context.Context, accountID string, credentialID []byte) error

	// TOTPSecret returns the decrypted base32 secret; ErrNotFound if none.
	TOTPSecret(ctx context.Context, accountID string) (string, error)
	// SetTOTPSecret encrypts and stores the secret, replacing any other and
	// resetting the used-step memory.
	SetTOTPSecret(ctx context.Context, accountID, secret string) error
	// RemoveTOTP deletes the secret and its used-step memory; ErrNotFound
	// if none is enrolled.
	RemoveTOTP(ctx context.Context, accountID string) error
	// UseTOTPStep atomically records step as used if it is newer than every
	// step used before; ErrReplay otherwise, ErrNotFound if no TOTP is
	// enrolled. Steps are RFC 6238 time steps (>= 0), as returned by
	// totp.Verify.
	UseTOTPStep(ctx context.Context, accountID string, step int64) error

	// Summary counts what the account has enrolled.
	Summary(ctx context.Context, accountID string) (Summary, error)
}
