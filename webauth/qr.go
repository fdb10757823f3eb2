package webauth

import (
	"crypto/hmac"
	"encoding/base64"
	"fmt"
	"net/http"
	"net/url"

	"github.com/resetbot/resetbot/flows"
	"github.com/resetbot/resetbot/webauth/internal/qrpng"
)

// pngDataURI embeds a PNG in a page (CSP allows img-src data:).
func pngDataURI(png []byte) string {
	return "data:image/png;base64," + base64.StdEncoding.EncodeToString(png)
}

// landingQRPath is where the desktop landing's QR code image is fetched
// from, and only when it is shown: making the code (the symbol's masks and
// a PNG) costs a few milliseconds of CPU, more than the rest of the landing,
// and most people never click "Show". The key is an HMAC over the link
// token, so only a landing this server rendered, after checking the token,
// names a code it will make; the endpoint needs no Redis and cannot be used
// to make codes for arbitrary strings.
func (s *Server) landingQRPath(token string) string {
	return "/r/" + token + "/qr?k=" + url.QueryEscape(s.mac("qr", token))
}

// landingQR is GET /r/{token}/qr: the PNG of the link the landing shows
// for continuing on the phone. It reads nothing and changes nothing (a GET
// never touches a link's state); the code is made from PublicBaseURL, so a
// forged Host header cannot change where it points.
func (s *Server) landingQR(w http.ResponseWriter, r *http.Request) {
	token := r.PathValue("token")
	if _, _, err := flows.ParseToken(token); err != nil || !hmac.Equal([]byte(r.URL.Query().Get("k")), []byte(s.mac("qr", token))) {
		s.fail(w, r, nil, errNoRoute)
		return
	}
	png, err := qrpng.Encode(s.cfg.link("/r/"+token), 256)
	if err != nil {
		s.fail(w, r, nil, fmt.Errorf("webauth: QR code: %w", err))
		return
	}
	// Cache-Control stays no-store (securityHeaders): the image is the
	// link itself, and no disk cache of a shared computer keeps it.
	w.Header().Set("Content-Type", "image/png")
	_, _ = w.Write(png)
}
