package totp

import (
	"errors"
	"fmt"
	"strings"

	"github.com/resetbot/resetbot/webauth/internal/qrpng"
)

// QR code sizes QRPNG accepts, in pixels: below the minimum phone cameras
// struggle to read an otpauth URL; above the maximum is only a way to make
// the server allocate memory.
const (
	MinQRSize = 128
	MaxQRSize = 1024
)

// QRPNG renders an otpauth:// URL (from Generate) as a square PNG of size
// pixels, for the enrolment page to show so the user can scan it. Medium
// error correction keeps the code readable from a slightly glared screen
// without making it too dense.
//
// The URL contains the secret, so errors never repeat it; serve the image
// with Cache-Control: no-store.
func QRPNG(otpauthURL string, size int) ([]byte, error) {
	if !strings.HasPrefix(otpauthURL, "otpauth://") {
		return nil, errors.New("totp: QR content is not an otpauth:// URL")
	}
	if size < MinQRSize || size > MaxQRSize {
		return nil, fmt.Errorf("totp: QR size %d outside [%d, %d]", size, MinQRSize, MaxQRSize)
	}
	png, err := qrpng.Encode(otpauthURL, size)
	if err != nil {
		return nil, fmt.Errorf("totp: render QR code: %w", err)
	}
	return png, nil
}
