package webauth

import (
	"bytes"
	"context"
	"encoding/base32"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/resetbot/resetbot/credentials"
	"github.com/resetbot/resetbot/directory"
	"github.com/resetbot/resetbot/directory/memory"
	"github.com/resetbot/resetbot/flows"
)

// enrollVerified redeems an enrollment link of account in b and proves the
// user with the directory password; it returns the flow id.
func enrollVerified(t *testing.T, r *rig, b *browser, account string) string {
	t.Helper()
	is := r.start(t, flows.KindEnroll, account)
	b.redeem(is.Token)
	id := is.Flow.ID
	_, _, proof, _ := b.get("/f/" + id + "/enroll")
	st, loc, body, _ := b.postForm("/f/"+id+"/enroll/proof", map[string]string{"csrf": csrfOf(t, proof), "password": memory.ExamplePassword})
	if st != http.StatusSeeOther || loc != "/f/"+id+"/enroll" {
		t.Fatalf("proof of %s: %d %q\n%s", account, st, loc, body)
	}
	return id
}

// enrollPushed redeems a helpdesk-pushed enrollment link of account in b
// (the link itself is the proof, so an account that already has a factor
// can change it); it returns the flow id.
func enrollPushed(t *testing.T, r *rig, b *browser, account string) string {
	t.Helper()
	is := r.startBy(t, flows.KindEnroll, account, "U-helpdesk")
	if st, loc := b.redeem(is.Token); st != http.StatusSeeOther || loc != "/f/"+is.Flow.ID+"/enroll" {
		t.Fatalf("redeem the pushed link of %s: %d %q", account, st, loc)
	}
	return is.Flow.ID
}

// totpSetup opens the authenticator-app setup page of a flow and returns
// the page and the manual-entry secret it shows.
func totpSetup(t *testing.T, b *browser, flowID string) (page, secret string) {
	t.Helper()
	st, _, page, _ := b.get("/f/" + flowID + "/enroll/totp")
	const marker = `id="totp-secret">`
	i := strings.Index(page, marker)
	if st != http.StatusOK || i < 0 {
		t.Fatalf("setup page: %d\n%s", st, page)
	}
	rest := page[i+len(marker):]
	return page, rest[:strings.IndexByte(rest, '<')]
}

// TestHandlerPendingTOTPIsSealed: the secret waiting for its confirming
// code is sealed in Redis, and sealed for its own flow and account only.
func TestHandlerPendingTOTPIsSealed(t *testing.T) {
	r := newRig(t, rigOptions{totp: true})
	ts := r.server(t)
	ctx := context.Background()
	alice := newBrowser(t, ts)
	aliceFlow := enrollVerified(t, r, alice, "spare1")
	page, secret := totpSetup(t, alice, aliceFlow)
	raw, err := base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(secret)
	if err != nil || len(raw) < 16 {
		t.Fatalf("manual-entry secret %q: %v", secret, err)
	}

	stored, err := r.rdb.Get(ctx, r.srv.sessions.key(ceremonyTOTP, aliceFlow)).Bytes()
	if err != nil {
		t.Fatalf("pending secret not in Redis: %v", err)
	}
	var sealed []byte
	if err := json.Unmarshal(stored, &sealed); err != nil {
		t.Fatalf("pending value is not the sealed bytes: %v", err)
	}
	for _, v := range [][]byte{stored, sealed} {
		for _, plain := range [][]byte{[]byte(secret), []byte(strings.ToLower(secret)), raw, []byte("otpauth")} {
			if bytes.Contains(v, plain) {
				t.Fatalf("the pending value holds %q in the clear", plain)
			}
		}
	}

	accountID := func(account string) string {
		t.Helper()
		u, err := r.dir.Find(ctx, directory.Lookup{Kind: directory.ByAccountName, Value: account})
		if err != nil {
			t.Fatal(err)
		}
		return u.ID
	}
	confirm := func(b *browser, flowID, page string) (int, string) {
		t.Helper()
		st, loc, _, _ := b.postForm("/f/"+flowID+"/enroll/totp", map[string]string{
			"csrf": csrfOf(t, page), "code": totpCode(t, secret, r.clock.Now()),
		})
		return st, loc
	}
	if st, loc := confirm(alice, aliceFlow, page); st != http.StatusSeeOther || loc != "/f/"+aliceFlow+"/enroll" {
		t.Fatalf("confirm in its own flow: %d %q", st, loc)
	}
	if got, err := r.creds.TOTPSecret(ctx, accountID("spare1")); err != nil || got != secret {
		t.Fatalf("saved TOTP secret: %v; want the one shown", err)
	}
	if n, err := r.rdb.Exists(ctx, r.srv.sessions.key(ceremonyTOTP, aliceFlow)).Result(); err != nil || n != 0 {
		t.Fatalf("the pending secret outlived its confirmation: %d, %v", n, err)
	}

	// Someone with write access to Redis copies the sealed value (whose
	// secret they know, say) into another setup: it must not open there.
	// (spare1 has an authenticator app now: its later flow is a helpdesk
	// link, since the password no longer proves a change of factors.)
	tests := []struct {
		name    string
		account string
		start   func(*testing.T, *rig, *browser, string) string
	}{
		{"another account's flow", "spare2", enrollVerified},
		{"a later flow of the same account", "spare1", enrollPushed},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b := newBrowser(t, ts)
			id := tc.start(t, r, b, tc.account)
			if err := r.rdb.Set(ctx, r.srv.sessions.key(ceremonyTOTP, id), stored, ceremonyTTL).Err(); err != nil {
				t.Fatal(err)
			}
			_, _, enrollPage, _ := b.get("/f/" + id + "/enroll")
			if st, _ := confirm(b, id, enrollPage); st != Classify(errNoCeremony).Status {
				t.Fatalf("confirm with a copied pending secret: %d, want %d", st, Classify(errNoCeremony).Status)
			}
			if tc.account == "spare2" {
				if _, err := r.creds.TOTPSecret(ctx, accountID(tc.account)); !errors.Is(err, credentials.ErrNotFound) {
					t.Fatalf("TOTP after the copied secret: %v, want none", err)
				}
			}
		})
	}
}

func TestPendingAADIsUnambiguous(t *testing.T) {
	tests := []struct {
		name            string
		flowA, accountA string
		flowB, accountB string
	}{
		{"other flow", "f1", "acct", "f2", "acct"},
		{"other account", "f1", "acct1", "f1", "acct2"},
		{"boundary shifted", "f1a", "cct", "f1", "acct"},
		{"swapped", "x", "y", "y", "x"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if bytes.Equal(pendingAAD(tc.flowA, tc.accountA), pendingAAD(tc.flowB, tc.accountB)) {
				t.Fatal("two different owners share additional data")
			}
		})
	}
}
