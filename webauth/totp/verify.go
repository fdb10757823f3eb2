package totp

import (
	"crypto/subtle"
	"encoding/base32"
	"math"
	"strings"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"
)

// minSecretBytes is the shortest secret Verify accepts: 128 bits, the
// minimum of RFC 4226 (R6). Shorter secrets (and the empty one, which HMAC
// would happily accept) make codes guessable offline.
const minSecretBytes = 16

// skewOrder is the order in which neighbouring steps are tried. One step of
// skew either way tolerates a phone clock that is a little off and a code
// typed just as it rolled over; more would widen the window an attacker
// can guess into. The current step comes first so that, in the rare case a
// code matches two steps, the one the user most likely saw wins.
var skewOrder = [...]int64{0, -1, +1}

// Verify reports whether code is the right code for secret at now, within
// one step of skew, and returns the step it matched. The caller must then
// record that step with credentials.Store.UseTOTPStep, which refuses it (and
// every older step) the second time: Verify alone does not stop a replay.
//
// Verify never errors: a malformed code (anything but exactly six ASCII
// digits), a secret that is not base32 or is shorter than 128 bits, or a
// time before the epoch (or absurdly far in the future) all simply fail.
// All three candidate steps are always computed and compared in constant
// time, so the response time does not tell which step (if any) was close.
func Verify(secret, code string, now time.Time) (step int64, ok bool) {
	if !wellFormed(code) {
		return 0, false
	}
	norm, good := normalizeSecret(secret)
	if !good {
		return 0, false
	}
	cur := Step(now)
	if cur < 0 || cur >= math.MaxInt64/periodSeconds-1 {
		return 0, false
	}
	matched := int64(-1)
	for _, d := range skewOrder {
		s := cur + d
		if s < 0 {
			continue
		}
		want, err := totp.GenerateCodeCustom(norm, time.Unix(s*periodSeconds, 0), totp.ValidateOpts{
			Period:    uint(Period / time.Second),
			Digits:    otp.DigitsSix,
			Algorithm: otp.AlgorithmSHA1,
		})
		if err != nil {
			return 0, false
		}
		if subtle.ConstantTimeCompare([]byte(want), []byte(code)) == 1 && matched < 0 {
			matched = s
		}
	}
	if matched < 0 {
		return 0, false
	}
	return matched, true
}

// wellFormed reports whether code is exactly Digits ASCII digits. Spaces,
// signs, Unicode digits and longer codes are refused rather than cleaned up:
// the web form strips the space apps show in the middle before calling.
func wellFormed(code string) bool {
	if len(code) != Digits {
		return false
	}
	for i := 0; i < len(code); i++ {
		if code[i] < '0' || code[i] > '9' {
			return false
		}
	}
	return true
}

// normalizeSecret brings a base32 secret into the canonical form (upper
// case, padded), the same leniency apps and the otp library show for
// lower-case and unpadded secrets, and checks it is long enough.
func normalizeSecret(secret string) (string, bool) {
	s := strings.ToUpper(strings.TrimSpace(secret))
	if n := len(s) % 8; n != 0 {
		s += strings.Repeat("=", 8-n)
	}
	raw, err := base32.StdEncoding.DecodeString(s)
	if err != nil || len(raw) < minSecretBytes {
		return "", false
	}
	return s, true
}
