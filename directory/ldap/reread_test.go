package ldap

import (
	"fmt"
	"testing"
	"time"
)

// TestRereadProof: a search by id stands as proof of its DN for one write,
// on the same server, for rereadFresh; any other DN, another server, a
// second write or a stale proof falls back to reading the entry again.
func TestRereadProof(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	r := newRereads()
	r.now = func() time.Time { return now }
	const id, dn, url = "9b1c", "uid=a,ou=People,dc=example,dc=test", "ldaps://a"

	r.note(id, dn, url)
	if !r.take(id, dn, url) {
		t.Fatal("a fresh proof was not taken")
	}
	if r.take(id, dn, url) {
		t.Fatal("one re-read proved two writes")
	}
	for _, tc := range []struct{ name, dn, url string }{
		{"another DN", "uid=b,ou=People,dc=example,dc=test", url},
		{"another server", dn, "ldaps://b"},
	} {
		r.note(id, dn, url)
		if r.take(id, tc.dn, tc.url) {
			t.Errorf("%s: the proof was taken", tc.name)
		}
		if r.take(id, dn, url) {
			t.Errorf("%s: a refused proof stayed usable", tc.name)
		}
	}
	r.note(id, dn, url)
	now = now.Add(rereadFresh)
	if r.take(id, dn, url) {
		t.Fatal("a proof older than rereadFresh was taken")
	}
}

// TestRereadProofsBounded: the table never outgrows rereadMax; stale
// proofs make room, and when every proof is fresh a new re-read is not
// remembered (its write reads the entry again).
func TestRereadProofsBounded(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	r := newRereads()
	r.now = func() time.Time { return now }
	for i := range rereadMax {
		r.note(fmt.Sprint(i), "dn", "url")
	}
	r.note("one more", "dn", "url")
	if len(r.m) != rereadMax || r.take("one more", "dn", "url") {
		t.Fatalf("full table: %d proofs, the new one kept", len(r.m))
	}
	now = now.Add(rereadFresh)
	r.note("after", "dn", "url")
	if len(r.m) != 1 || !r.take("after", "dn", "url") {
		t.Fatalf("stale proofs did not make room: %d proofs", len(r.m))
	}
}
