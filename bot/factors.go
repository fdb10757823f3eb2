package bot

import "context"

// FactorCount is what an account has enrolled to prove itself with. The core
// needs only the counts ("/reset status", and whether a link can lead
// anywhere), so it declares them itself instead of importing the credential
// store and, with it, the WebAuthn library.
type FactorCount struct {
	Passkeys int
	TOTP     bool
}

// Factors reports an account's enrolled factors by its immutable directory
// id. The credential store satisfies it through a small adapter in the
// binary's wiring.
type Factors interface {
	Factors(ctx context.Context, accountID string) (FactorCount, error)
}
