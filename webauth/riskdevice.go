package webauth

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"net/http"
	"strings"
)

// deviceCookie names this browser for the new-browser risk signal: a
// random id and its MAC under the app's key, long-lived, HttpOnly and
// Secure. It identifies a browser the account used, never the person
// (no fingerprint: nothing of the browser's traits goes into it), and a
// forged or copied-in value is refused by its MAC.
const deviceCookie = "rb_device"

// deviceCookieLife is the cookie's lifetime: 400 days, the longest the
// browsers keep a cookie.
const deviceCookieLife = 400 * 24 * 60 * 60

// browserID returns the opaque id of the request's browser for the risk
// evidence (a MAC of its device cookie's id, so what Redis remembers is no
// cookie value), setting a new device cookie when it has none or a
// forged one. The id of a newly set cookie is returned too: the account
// has never seen it, which is the signal.
func (s *Server) browserID(w http.ResponseWriter, r *http.Request) string {
	id := s.deviceID(r)
	if id == "" {
		var b [16]byte
		if _, err := rand.Read(b[:]); err != nil {
			return ""
		}
		id = base64.RawURLEncoding.EncodeToString(b[:])
		http.SetCookie(w, &http.Cookie{
			Name: deviceCookie, Value: id + "." + s.mac("device", id), Path: "/",
			MaxAge: deviceCookieLife, Secure: true, HttpOnly: true, SameSite: http.SameSiteLaxMode,
		})
	}
	return s.mac("device-seen", id)
}

// deviceID is the id of a genuine device cookie on r, or "".
func (s *Server) deviceID(r *http.Request) string {
	for _, c := range r.CookiesNamed(deviceCookie) {
		id, sig, ok := strings.Cut(c.Value, ".")
		if ok && id != "" && subtle.ConstantTimeCompare([]byte(sig), []byte(s.mac("device", id))) == 1 {
			return id
		}
	}
	return ""
}
