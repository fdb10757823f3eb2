package totp

import (
	"errors"
	"fmt"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"
)

// secretSize is the length of a generated secret in bytes: 160 bits, what
// RFC 4226 recommends for HMAC-SHA1.
const secretSize = 20

// Generate creates a new random secret for enrolment. It returns the secret
// in base32 (to store with credentials.Store.SetTOTPSecret) and the
// otpauth:// URL the user's app imports, usually through QRPNG. The issuer
// is what the app shows as the service name (the company or "resetbot");
// accountName is what the user recognises as themselves (their login or
// email). Both are required, because apps that get neither show an entry the
// user cannot tell apart from others.
//
// The URL contains the secret: never log it or put it in an error.
func Generate(issuer, accountName string) (secret string, otpauthURL string, err error) {
	if issuer == "" || accountName == "" {
		return "", "", errors.New("totp: issuer and account name are required")
	}
	key, err := totp.Generate(totp.GenerateOpts{
		Issuer:      issuer,
		AccountName: accountName,
		Period:      uint(Period.Seconds()),
		SecretSize:  secretSize,
		Digits:      otp.DigitsSix,
		Algorithm:   otp.AlgorithmSHA1,
	})
	if err != nil {
		return "", "", fmt.Errorf("totp: generate secret: %w", err)
	}
	return key.Secret(), key.URL(), nil
}
