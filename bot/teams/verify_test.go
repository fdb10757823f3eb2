package teams_test

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"net/http"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/resetbot/resetbot/bot/teams/teamsfake"
)

// TestTokenValidation posts one message per case, each with a different
// token, and checks the status and that a refused activity never reaches
// the core.
func TestTokenValidation(t *testing.T) {
	now := time.Now()
	signWith := func(f *teamsfake.Server, method jwt.SigningMethod, key any, kid string, c jwt.MapClaims) string {
		tok := jwt.NewWithClaims(method, c)
		if kid != "" {
			tok.Header["kid"] = kid
		}
		s, err := tok.SignedString(key)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	otherKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name  string
		token func(f *teamsfake.Server, c jwt.MapClaims) string
		want  int
	}{
		{"valid", func(f *teamsfake.Server, c jwt.MapClaims) string { return f.Sign(c) }, http.StatusOK},
		{"no token", func(*teamsfake.Server, jwt.MapClaims) string { return "" }, http.StatusUnauthorized},
		{"garbage", func(*teamsfake.Server, jwt.MapClaims) string { return "not.a.jwt" }, http.StatusUnauthorized},
		{"expired within leeway", func(f *teamsfake.Server, c jwt.MapClaims) string {
			c["exp"] = now.Add(-4 * time.Minute).Unix()
			return f.Sign(c)
		}, http.StatusOK},
		{"expired beyond leeway", func(f *teamsfake.Server, c jwt.MapClaims) string {
			c["exp"] = now.Add(-6 * time.Minute).Unix()
			return f.Sign(c)
		}, http.StatusUnauthorized},
		{"no expiry", func(f *teamsfake.Server, c jwt.MapClaims) string {
			delete(c, "exp")
			return f.Sign(c)
		}, http.StatusUnauthorized},
		{"not yet valid", func(f *teamsfake.Server, c jwt.MapClaims) string {
			c["nbf"] = now.Add(10 * time.Minute).Unix()
			return f.Sign(c)
		}, http.StatusUnauthorized},
		{"wrong issuer", func(f *teamsfake.Server, c jwt.MapClaims) string {
			c["iss"] = "https://sts.windows.net/evil/"
			return f.Sign(c)
		}, http.StatusUnauthorized},
		{"wrong audience", func(f *teamsfake.Server, c jwt.MapClaims) string {
			c["aud"] = "00000000-0000-4000-8000-000000000000"
			return f.Sign(c)
		}, http.StatusUnauthorized},
		{"wrong key under the right kid", func(f *teamsfake.Server, c jwt.MapClaims) string {
			_, kid := f.Key()
			return signWith(f, jwt.SigningMethodRS256, otherKey, kid, c)
		}, http.StatusUnauthorized},
		{"no kid", func(f *teamsfake.Server, c jwt.MapClaims) string {
			key, _ := f.Key()
			return signWith(f, jwt.SigningMethodRS256, key, "", c)
		}, http.StatusUnauthorized},
		{"alg none", func(f *teamsfake.Server, c jwt.MapClaims) string {
			_, kid := f.Key()
			return signWith(f, jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType, kid, c)
		}, http.StatusUnauthorized},
		{"HS256 keyed with the public key", func(f *teamsfake.Server, c jwt.MapClaims) string {
			key, kid := f.Key()
			pub, err := x509.MarshalPKIXPublicKey(&key.PublicKey)
			if err != nil {
				t.Fatal(err)
			}
			return signWith(f, jwt.SigningMethodHS256, pub, kid, c)
		}, http.StatusUnauthorized},
		{"RS512", func(f *teamsfake.Server, c jwt.MapClaims) string {
			key, kid := f.Key()
			return signWith(f, jwt.SigningMethodRS512, key, kid, c)
		}, http.StatusUnauthorized},
		{"serviceurl of another connector", func(f *teamsfake.Server, c jwt.MapClaims) string {
			c["serviceurl"] = "https://smba.trafficmanager.net/emea/"
			return f.Sign(c)
		}, http.StatusForbidden},
		{"no serviceurl claim", func(f *teamsfake.Server, c jwt.MapClaims) string {
			delete(c, "serviceurl")
			return f.Sign(c)
		}, http.StatusForbidden},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := newRig(t)
			a := r.fake.Message(member("alice"), "reset")
			status, body := r.postToken(t, a, tc.token(r.fake, r.fake.Claims(a.ServiceURL)))
			if status != tc.want {
				t.Fatalf("status %d (%s), want %d", status, body, tc.want)
			}
			wantCalls := 0
			if tc.want == http.StatusOK {
				wantCalls = 1
			}
			if got := r.h.calls(); got != wantCalls {
				t.Fatalf("handler called %d times, want %d", got, wantCalls)
			}
		})
	}
}

// TestUnknownKeyIDRefetches: a token signed with a key published after the
// keys were read makes the verifier read them again and accept it; a
// second unknown key within the rate limit is refused without a fetch.
func TestUnknownKeyIDRefetches(t *testing.T) {
	r := newRig(t)
	if status, body := r.postSigned(t, r.fake.Message(member("alice"), "status")); status != http.StatusOK {
		t.Fatalf("first activity: %d %s", status, body)
	}
	if n := r.fake.Count("jwks"); n != 1 {
		t.Fatalf("%d key fetches after the first activity, want 1", n)
	}
	r.fake.RotateKey()
	if status, body := r.postSigned(t, r.fake.Message(member("alice"), "status")); status != http.StatusOK {
		t.Fatalf("activity signed with the rotated key: %d %s", status, body)
	}
	if n := r.fake.Count("jwks"); n != 2 {
		t.Fatalf("%d key fetches after an unknown kid, want 2", n)
	}
	r.fake.RotateKey()
	if status, _ := r.postSigned(t, r.fake.Message(member("alice"), "status")); status != http.StatusUnauthorized {
		t.Fatalf("second unknown kid within the rate limit: status %d, want 401", status)
	}
	if n := r.fake.Count("jwks"); n != 2 {
		t.Fatalf("%d key fetches, want still 2 (rate limited)", n)
	}
	if n := r.fake.Count("metadata"); n != 1 {
		t.Fatalf("%d metadata fetches, want 1", n)
	}
	if got := r.h.calls(); got != 2 {
		t.Fatalf("handler called %d times, want 2", got)
	}
}

// TestMalformedActivity: a validly signed body that is not an activity is
// a 400 with the catalogued text, and reaches nobody.
func TestMalformedActivity(t *testing.T) {
	r := newRig(t)
	for _, tc := range []struct{ name, body string }{
		{"not JSON", `{"type":`},
		{"no type", `{"serviceUrl":"` + r.fake.ServiceURL("amer") + `"}`},
		{"message without sender", `{"type":"message","id":"1","serviceUrl":"` + r.fake.ServiceURL("amer") + `","conversation":{"id":"a:1"}}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req, err := r.fake.NewRequest(r.url, teamsfake.Activity{})
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("Authorization", "Bearer "+r.fake.Sign(r.fake.Claims(r.fake.ServiceURL("amer"))))
			req.Body = nopBody(tc.body)
			req.ContentLength = int64(len(tc.body))
			status, body := send(t, req)
			if status != http.StatusBadRequest || body != "malformed activity\n" {
				t.Fatalf("got %d %q, want 400 \"malformed activity\"", status, body)
			}
			if r.h.calls() != 0 {
				t.Fatal("handler called for a malformed activity")
			}
		})
	}
}
