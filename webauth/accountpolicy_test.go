package webauth

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/resetbot/resetbot/webauth/totp"

	"github.com/resetbot/resetbot/directory"
	"github.com/resetbot/resetbot/directory/memory"
	"github.com/resetbot/resetbot/flows"
	"github.com/resetbot/resetbot/webauth/password"
)

// TestPasswordAccountPolicy: an account held to a longer minimum than the
// domain's (an AD fine-grained password policy) is shown that minimum in
// the checklist and the passwordrules attribute, the live check and the
// submit hold a shorter password to it and the refusal names the rule,
// while another account of the same directory gets the domain's rules and
// the same password is accepted.
func TestPasswordAccountPolicy(t *testing.T) {
	seed := memory.ExampleSeed()
	strict := seed.Policy
	strict.MinLength = 20
	for i := range seed.Users {
		if seed.Users[i].AccountName == "jdoe" {
			seed.Users[i].Policy = &strict
		}
	}
	dir, err := memory.New(seed)
	if err != nil {
		t.Fatal(err)
	}
	r := newRig(t, rigOptions{totp: true, dir: dir})
	ts := r.server(t)
	ctx := context.Background()
	const candidate = "Quiet-Harbour-71" // 16 characters: the domain's rules pass, jdoe's do not
	for _, tc := range []struct {
		account string
		min     int
		refused bool
	}{
		{account: "jdoe", min: 20, refused: true},
		{account: "spare1", min: 12}, // resetbot's own minimum is above the domain's 8
	} {
		t.Run(tc.account, func(t *testing.T) {
			u, err := dir.Find(ctx, directory.Lookup{Kind: directory.ByAccountName, Value: tc.account})
			if err != nil {
				t.Fatal(err)
			}
			secret, _, _ := totp.Generate("Example", tc.account)
			if err := r.creds.SetTOTPSecret(ctx, u.ID, secret); err != nil {
				t.Fatal(err)
			}
			is := r.start(t, flows.KindReset, tc.account)
			b := newBrowser(t, ts)
			b.redeem(is.Token)
			id := is.Flow.ID
			_, _, page, _ := b.get("/f/" + id + "/verify")
			if st, _, _, _ := b.postForm("/f/"+id+"/totp", map[string]string{"csrf": csrfOf(t, page), "code": totpCode(t, secret, r.clock.Now())}); st != http.StatusSeeOther {
				t.Fatalf("totp: %d", st)
			}
			st, _, form, _ := b.get("/f/" + id + "/password")
			if st != http.StatusOK {
				t.Fatalf("password page: %d", st)
			}
			rule := "At least " + strconv.Itoa(tc.min) + " characters"
			for _, want := range []string{`passwordrules="minlength: ` + strconv.Itoa(tc.min) + `;`, rule} {
				if !strings.Contains(form, want) {
					t.Errorf("password page lacks %q", want)
				}
			}
			csrf := csrfOf(t, form)
			st, _, body, _ := b.postJSON("/f/"+id+"/password/check", csrf, `{"password":"`+candidate+`"}`)
			if st != http.StatusOK {
				t.Fatalf("live check: %d %s", st, body)
			}
			var res password.Result
			if err := json.Unmarshal([]byte(body), &res); err != nil {
				t.Fatal(err)
			}
			for _, rr := range res.Rules {
				if rr.ID == password.RuleMinLength && rr.OK == tc.refused {
					t.Errorf("live check: length rule ok = %v for %d characters, minimum %d", rr.OK, len(candidate), tc.min)
				}
			}
			st, _, body, _ = b.postForm("/f/"+id+"/password", map[string]string{"csrf": csrf, "password": candidate})
			switch {
			case tc.refused && (st != http.StatusUnprocessableEntity || !strings.Contains(problemOf(body), rule)):
				t.Fatalf("submit below the account's minimum: %d, problem %q, want 422 naming %q", st, problemOf(body), rule)
			case !tc.refused && st != http.StatusSeeOther:
				t.Fatalf("submit under the domain's rules: %d\n%s", st, problemOf(body))
			}
			if err := dir.VerifyPassword(ctx, u, candidate); (err == nil) == tc.refused {
				t.Errorf("after the submit, the candidate signs in: %v, want %v", err == nil, !tc.refused)
			}
		})
	}
}
