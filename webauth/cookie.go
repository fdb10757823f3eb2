package webauth

import (
	"net/http"
	"strings"
	"time"

	"github.com/resetbot/resetbot/flows"
)

// bindingCookie holds "<flow id>.<binding secret>": the proof that this
// browser redeemed the link. __Host- makes the browser refuse it unless it is
// Secure, host-only and Path=/, so no sibling domain can plant or read it.
const bindingCookie = "__Host-resetbot"

// cookieGrace keeps the cookie a little past the flow's expiry, so a late
// click reads "expired" rather than "other browser".
const cookieGrace = time.Minute

// parseBinding splits a binding cookie value. It accepts only a well-formed
// flow id and a URL-safe base64 secret, so nothing odd reaches the store.
func parseBinding(v string) (flowID, secret string, ok bool) {
	id, sec, found := strings.Cut(v, ".")
	if !found || len(sec) < 16 || len(sec) > 128 {
		return "", "", false
	}
	if _, err := flows.ShardOfFlow(id); err != nil {
		return "", "", false
	}
	for i := 0; i < len(sec); i++ {
		if !isB64URLByte(sec[i]) {
			return "", "", false
		}
	}
	return id, sec, true
}

func isB64URLByte(c byte) bool {
	return c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_'
}

// setBinding writes the binding cookie, living until the flow expires.
func (s *Server) setBinding(w http.ResponseWriter, flowID, secret string, expires time.Time) {
	maxAge := int((expires.Sub(s.now()) + cookieGrace) / time.Second)
	if maxAge < 1 {
		maxAge = 1
	}
	http.SetCookie(w, &http.Cookie{
		Name: bindingCookie, Value: flowID + "." + secret, Path: "/",
		MaxAge: maxAge, Secure: true, HttpOnly: true, SameSite: http.SameSiteStrictMode,
	})
}

// readBinding returns the secret of the binding cookie for flowID, or "".
func readBinding(r *http.Request, flowID string) string {
	for _, c := range r.CookiesNamed(bindingCookie) {
		id, sec, ok := parseBinding(c.Value)
		if ok && id == flowID {
			return sec
		}
	}
	return ""
}
