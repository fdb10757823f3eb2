package webauth

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/resetbot/resetbot/directory"
	"github.com/resetbot/resetbot/flows"
	"github.com/resetbot/resetbot/webauth/webauthtest"
)

func TestProofBudget(t *testing.T) {
	tests := []struct {
		name                  string
		configured, threshold int
		want                  int
	}{
		{"no lockout, default", 0, 0, defaultProofsPerDay},
		{"no lockout, configured", 5, 0, 5},
		{"threshold 3 leaves one", 0, 3, 1},
		{"threshold 10 capped by the default", 0, 10, 3},
		{"threshold 10, configured 4", 4, 10, 4},
		{"threshold 6 gives half", 9, 6, 3},
		{"threshold 1 leaves none", 0, 1, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := proofBudget(tc.configured, tc.threshold); got != tc.want {
				t.Fatalf("proofBudget(%d, %d) = %d, want %d", tc.configured, tc.threshold, got, tc.want)
			}
		})
	}
}

// TestProofNeverLocksTheAccount: wrong current passwords typed at the
// enrollment proof, flow after flow, stop being checked well before the
// directory's lockout threshold (read from its policy: pwdMaxFailure 3 on
// slapd, lockoutThreshold 3 on Samba AD), so the account is not locked
// afterwards and the right password still works.
func TestProofNeverLocksTheAccount(t *testing.T) {
	tests := []struct {
		name string
		dir  func(t testing.TB) directory.Directory
	}{
		{"memory", memoryDir},
		{"openldap", slapdDir},
		{"active directory", sambaDir},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			dir := tc.dir(t)
			pol, err := dir.(directory.PolicyReader).PasswordPolicy(ctx)
			if err != nil || pol.LockoutThreshold < 2 {
				t.Fatalf("the test directory must lock after a few failures: %+v, %v", pol, err)
			}
			u, err := dir.Find(ctx, directory.Lookup{Kind: directory.ByAccountName, Value: "spare3"})
			if err != nil {
				t.Fatal(err)
			}
			right := webauthtest.RandomPassword()
			if err := dir.SetPassword(ctx, u, right); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = dir.Unlock(context.Background(), u) })
			r := newRig(t, rigOptions{dir: dir})
			ts := r.server(t)

			budget := proofBudget(0, pol.LockoutThreshold)
			var checked, paused int
			for i := 0; i < pol.LockoutThreshold+2; i++ {
				is := r.start(t, flows.KindEnroll, "spare3")
				b := newBrowser(t, ts)
				b.redeem(is.Token)
				_, _, page, _ := b.get("/f/" + is.Flow.ID + "/enroll")
				st, _, _, _ := b.postForm("/f/"+is.Flow.ID+"/enroll/proof", map[string]string{"csrf": csrfOf(t, page), "password": "Wrong-Passw0rd-" + string(rune('a'+i))})
				switch st {
				case http.StatusUnauthorized:
					checked++
				case http.StatusTooManyRequests:
					paused++
				default:
					t.Fatalf("wrong password %d: status %d", i+1, st)
				}
			}
			if checked != budget || paused == 0 {
				t.Fatalf("%d wrong passwords checked (want %d, below the threshold %d), %d paused", checked, budget, pol.LockoutThreshold, paused)
			}
			if u, err = dir.Find(ctx, directory.Lookup{Kind: directory.ByAccountName, Value: "spare3"}); err != nil || u.Locked {
				t.Fatalf("the account is locked after the proofs (%v)", err)
			}
			if err := dir.VerifyPassword(ctx, u, right); err != nil {
				t.Fatalf("the right password no longer works: %v", err)
			}
			// A paused proof says so, instead of "wrong password".
			is := r.start(t, flows.KindEnroll, "spare3")
			b := newBrowser(t, ts)
			b.redeem(is.Token)
			_, _, page, _ := b.get("/f/" + is.Flow.ID + "/enroll")
			st, _, body, _ := b.postForm("/f/"+is.Flow.ID+"/enroll/proof", map[string]string{"csrf": csrfOf(t, page), "password": right})
			if st != http.StatusTooManyRequests || !containsAll(body, "Too many password attempts today", "helpdesk") {
				t.Fatalf("proof after the budget: %d\n%s", st, body)
			}
			if f, _ := r.eng.Get(ctx, is.Flow.ID); f.State == flows.StateVerified {
				t.Fatal("an unchecked password verified the flow")
			}
			if err := dir.VerifyPassword(ctx, u, right); err != nil {
				t.Fatal("the account locked at the end")
			}
		})
	}
}

// containsAll reports whether s contains every one of subs.
func containsAll(s string, subs ...string) bool {
	for _, sub := range subs {
		if !strings.Contains(s, sub) {
			return false
		}
	}
	return true
}
