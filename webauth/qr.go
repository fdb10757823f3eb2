package webauth

import (
	"encoding/base64"
	"fmt"

	"github.com/resetbot/resetbot/webauth/internal/qrpng"
)

// qrDataURI renders content as a PNG QR code in a data: URI. It is made on
// the server (no script, no third party) from a URL built from
// PublicBaseURL, so a forged Host header cannot change where it points.
func qrDataURI(content string) (string, error) {
	png, err := qrpng.Encode(content, 256)
	if err != nil {
		return "", fmt.Errorf("webauth: QR code: %w", err)
	}
	return pngDataURI(png), nil
}

// pngDataURI embeds a PNG in a page (CSP allows img-src data:).
func pngDataURI(png []byte) string {
	return "data:image/png;base64," + base64.StdEncoding.EncodeToString(png)
}
