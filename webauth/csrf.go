package webauth

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"strings"
)

// csrfCookie carries the landing page's nonce (double submit): the form
// must echo the nonce together with an HMAC over the link token and the
// nonce, so a form posted from another site (which can neither read the
// cookie nor compute the HMAC) is refused, and a token for one link cannot
// be replayed for another. It needs no server state.
const csrfCookie = "__Host-resetbot-csrf"

// csrfLife bounds how long a landing page may stay open before Continue.
const csrfLife = 15 * 60

// csrfField is the form field and csrfHeader the header of JSON calls.
const (
	csrfField  = "csrf"
	csrfHeader = "X-CSRF-Token"
)

func (s *Server) mac(parts ...string) string {
	m := hmac.New(sha256.New, s.cfg.CSRFKey)
	for _, p := range parts {
		m.Write([]byte(p))
		m.Write([]byte{0})
	}
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// landingCSRF mints a nonce, sets its cookie and returns the form value.
func (s *Server) landingCSRF(w http.ResponseWriter, token string) (string, error) {
	var b [18]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	nonce := base64.RawURLEncoding.EncodeToString(b[:])
	http.SetCookie(w, &http.Cookie{
		Name: csrfCookie, Value: nonce, Path: "/", MaxAge: csrfLife,
		Secure: true, HttpOnly: true, SameSite: http.SameSiteStrictMode,
	})
	return nonce + "." + s.mac("landing", token, nonce), nil
}

// checkLandingCSRF verifies the form value against the cookie and token.
func (s *Server) checkLandingCSRF(r *http.Request, token, value string) bool {
	nonce, sum, ok := strings.Cut(value, ".")
	if !ok || nonce == "" {
		return false
	}
	c, err := r.Cookie(csrfCookie)
	if err != nil || !hmac.Equal([]byte(c.Value), []byte(nonce)) {
		return false
	}
	return hmac.Equal([]byte(sum), []byte(s.mac("landing", token, nonce)))
}

// flowCSRF is the anti-forgery token of a flow's forms and JSON calls:
// an HMAC over the flow id and the browser's binding secret. The binding
// cookie is HttpOnly and SameSite=Strict already; this is the second lock.
func (s *Server) flowCSRF(flowID, binding string) string {
	return s.mac("flow", flowID, binding)
}

// sameOrigin refuses requests a browser marks as coming from another site.
// Sec-Fetch-Site is preferred: with Referrer-Policy no-referrer, browsers
// send "Origin: null" on form posts, which proves nothing either way. The
// CSRF token remains the actual lock; this refuses early and loudly.
func (s *Server) sameOrigin(r *http.Request) bool {
	if site := r.Header.Get("Sec-Fetch-Site"); site != "" {
		return site == "same-origin"
	}
	o := r.Header.Get("Origin")
	return o == "" || o == "null" || o == s.cfg.origin
}
