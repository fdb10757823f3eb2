package webauth

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// FuzzParseBinding: the cookie parser never accepts a value whose parts
// could not have come from setBinding, and never panics.
func FuzzParseBinding(f *testing.F) {
	for _, s := range []string{"", ".", "0a-AAAAAAAAAAAAAAAAAAAAAA.abcdefghijklmnopqrstuvwxyz012345678", "zz-..", "0a-AAAAAAAAAAAAAAAAAAAAAA.a=b"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		id, sec, ok := parseBinding(v)
		if !ok {
			return
		}
		if v != id+"."+sec || strings.Contains(sec, ".") || len(sec) < 16 {
			t.Fatalf("accepted %q as %q + %q", v, id, sec)
		}
	})
}

// FuzzLandingPath: any token in the path gets a catalogued answer, never a
// server error, and the landing page never echoes an invalid token.
func FuzzLandingPath(f *testing.F) {
	r := newRig(f, rigOptions{})
	for _, s := range []string{"x", "0a-AAAAAAAAAAAAAAAAAAAAAA.AAAA", "%00", "..%2F..", strings.Repeat("A", 300)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, token string) {
		for _, method := range []string{http.MethodGet, http.MethodPost} {
			req := httptest.NewRequest(method, "https://reset.example.test/", nil)
			req.URL.Path = "/r/" + token
			rec := httptest.NewRecorder()
			r.srv.ServeHTTP(rec, req)
			if rec.Code >= 500 {
				t.Fatalf("%s %q: status %d", method, token, rec.Code)
			}
		}
	})
}

// FuzzCheckRequest: the live-check body parser accepts only bounded JSON.
func FuzzCheckRequest(f *testing.F) {
	for _, s := range []string{`{"password":"x"}`, `{}`, `[]`, `{"password":1}`, ``} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		c, err := parseCheckRequest(body)
		if err == nil && len(c.Password) > maxPasswordLen {
			t.Fatalf("accepted a %d-byte password", len(c.Password))
		}
	})
}

// FuzzRegisterRequest: the registration body parser always yields a clean,
// bounded device name.
func FuzzRegisterRequest(f *testing.F) {
	for _, s := range []string{`{"name":"My phone","credential":{}}`, `{"name":"\u0000\n","credential":1}`, `{"credential":null}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		req, err := parseRegisterRequest(body)
		if err != nil {
			return
		}
		if req.Name == "" || len([]rune(req.Name)) > maxDeviceName || strings.TrimSpace(req.Name) != req.Name {
			t.Fatalf("device name %q", req.Name)
		}
		for _, c := range req.Name {
			if c < 0x20 || c == 0x7f {
				t.Fatalf("control character in %q", req.Name)
			}
		}
	})
}

// FuzzLandingCSRF: no value except the one minted for this token and
// cookie verifies.
func FuzzLandingCSRF(f *testing.F) {
	r := newRig(f, rigOptions{})
	f.Add("tok", "nonce.mac")
	f.Fuzz(func(t *testing.T, token, value string) {
		req := httptest.NewRequest(http.MethodPost, "/", nil)
		req.AddCookie(&http.Cookie{Name: csrfCookie, Value: "fixed-nonce"})
		if r.srv.checkLandingCSRF(req, token, value) && value != "fixed-nonce."+r.srv.mac("landing", token, "fixed-nonce") {
			t.Fatalf("accepted %q for %q", value, token)
		}
	})
}
