package teams_test

import (
	"crypto/rsa"
	"net/http"
	"testing"

	"github.com/golang-jwt/jwt/v5"
)

// The public texts of the two channel refusals.
const (
	notEndorsed = "channel not vouched for by the signing key\n"
	notServed   = "channel not served\n"
)

// TestEndorsements: a token vouches only for an activity of a channel its
// signing key is endorsed for, and only Teams activities are served. Every
// refusal is a 403 and never reaches the core.
func TestEndorsements(t *testing.T) {
	for _, tc := range []struct {
		name     string
		endorsed []string // the signing key's endorsements; none: published without
		channel  string   // the activity's channelId
		want     int
		body     string // the public text of a refusal
	}{
		{"key endorsed for msteams", []string{"msteams"}, "msteams", http.StatusOK, ""},
		{"key endorsed for several channels", []string{"webchat", "msteams"}, "msteams", http.StatusOK, ""},
		{"key without endorsements", nil, "msteams", http.StatusForbidden, notEndorsed},
		{"key endorsed for another channel only", []string{"webchat"}, "msteams", http.StatusForbidden, notEndorsed},
		{"endorsement in another case", []string{"MSTeams"}, "msteams", http.StatusForbidden, notEndorsed},
		{"emulator activity", []string{"msteams", "emulator"}, "emulator", http.StatusForbidden, notServed},
		{"web chat activity, key endorsed for it", []string{"msteams", "webchat"}, "webchat", http.StatusForbidden, notServed},
		{"activity without channelId", []string{"msteams"}, "", http.StatusForbidden, notServed},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := newRig(t)
			_, kid := r.fake.Key()
			r.fake.Endorse(kid, tc.endorsed...)
			a := r.fake.Message(member("alice"), "reset")
			a.ChannelID = tc.channel
			status, body := r.postSigned(t, a)
			if status != tc.want {
				t.Fatalf("status %d (%s), want %d", status, body, tc.want)
			}
			if tc.want != http.StatusOK && body != tc.body {
				t.Errorf("refusal says %q, want %q", body, tc.body)
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

// TestEndorsementsRefreshWithKeys: endorsements are read by the same
// fetches as the keys. A withdrawn endorsement holds until the keys are
// read again, and takes effect with that read (here the one a new key
// causes) without a fetch of its own.
func TestEndorsementsRefreshWithKeys(t *testing.T) {
	r := newRig(t)
	oldKey, oldKID := r.fake.Key()
	postWith := func(key *rsa.PrivateKey, kid string) int {
		t.Helper()
		a := r.fake.Message(member("alice"), "status")
		status, _ := r.postToken(t, a, signAs(t, key, kid, r.fake.Claims(a.ServiceURL)))
		return status
	}
	if status := postWith(oldKey, oldKID); status != http.StatusOK {
		t.Fatalf("endorsed key: status %d, want 200", status)
	}
	r.fake.Endorse(oldKID)
	if status := postWith(oldKey, oldKID); status != http.StatusOK {
		t.Fatalf("endorsement withdrawn but keys not re-read: status %d, want 200", status)
	}
	r.fake.RotateKey()
	newKey, newKID := r.fake.Key()
	if status := postWith(newKey, newKID); status != http.StatusOK {
		t.Fatalf("new endorsed key: status %d, want 200", status)
	}
	if status := postWith(oldKey, oldKID); status != http.StatusForbidden {
		t.Fatalf("key whose endorsement was withdrawn: status %d, want 403", status)
	}
	if n := r.fake.Count("jwks"); n != 2 {
		t.Fatalf("%d key fetches, want 2 (the first and the new key's)", n)
	}
	if got := r.h.calls(); got != 3 {
		t.Fatalf("handler called %d times, want 3", got)
	}
}

// signAs signs claims with a given key under a given kid, as the Bot
// Framework signs with whichever of its keys.
func signAs(t *testing.T, key *rsa.PrivateKey, kid string, c jwt.MapClaims) string {
	t.Helper()
	tok := jwt.NewWithClaims(jwt.SigningMethodRS256, c)
	tok.Header["kid"] = kid
	s, err := tok.SignedString(key)
	if err != nil {
		t.Fatal(err)
	}
	return s
}
