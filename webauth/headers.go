package webauth

import "net/http"

// contentSecurityPolicy allows only the app's own scripts, styles and
// fetches, images from itself or data: URIs (QR codes), no frames, no
// inline script, no base or form targets elsewhere. Every page works under
// it because all assets are embedded and served from /static/.
const contentSecurityPolicy = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

// securityHeaders sets the headers of every response. Pages are never
// cached: they carry per-flow state and CSRF tokens.
func (s *Server) securityHeaders(w http.ResponseWriter) {
	h := w.Header()
	h.Set("Content-Security-Policy", contentSecurityPolicy)
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Cross-Origin-Opener-Policy", "same-origin")
	h.Set("Cache-Control", "no-store")
	if s.cfg.https() {
		h.Set("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
	}
}
