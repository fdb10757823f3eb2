package webauth

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"testing"

	goldap "github.com/go-ldap/ldap/v3"

	"github.com/resetbot/resetbot/directory"
	"github.com/resetbot/resetbot/directory/ldap"
	"github.com/resetbot/resetbot/flows"
	"github.com/resetbot/resetbot/internal/i18n"
	"github.com/resetbot/resetbot/internal/testenv"
	"github.com/resetbot/resetbot/webauth/webauthtest"
)

// TestPasswordPageFollowsAnADFineGrainedPolicy: on the harness's real
// Samba AD, an account of the test's own under a fine-grained password
// policy (a PSO of the test's own, with a minimum length well above the
// domain's) gets the PSO's minimum on the password page (the checklist
// line, the field's minlength, passwordrules) and a submit of a password
// the domain policy takes but the PSO does not is refused in the PSO's
// words, the field kept, the flow still open. The service account here
// may read the PSO: the administrator stands in for a service account
// granted read on the Password Settings Container (under AD's default ACL
// the delegated reset account reads msDS-ResultantPSO but not the PSO
// and gets the domain's policy, as directory/ldap's test shows). The
// seeded accounts and the domain policy are not touched: other packages'
// tests share this Samba (#11).
func TestPasswordPageFollowsAnADFineGrainedPolicy(t *testing.T) {
	url, ca := testenv.RequireEnv(t, "RESETBOT_TEST_SAMBA_URL"), testenv.RequireEnv(t, "RESETBOT_TEST_SAMBA_CA")
	adminDN, adminPW := testenv.RequireEnv(t, "RESETBOT_TEST_SAMBA_ADMIN_DN"), testenv.RequireEnv(t, "RESETBOT_TEST_SAMBA_ADMIN_PASSWORD")
	admin := adminConn(t, url, ca, adminDN, adminPW)
	dir := openLDAP(t, ldap.Config{
		Flavour: ldap.ActiveDirectory, URLs: []string{url}, CAFile: ca, BindDN: adminDN, BindPassword: adminPW,
		UserBaseDN: "OU=People,DC=example,DC=test", GroupBaseDN: "OU=Groups,DC=example,DC=test",
		ChatIDAttrs: map[string]string{"slack": "employeeNumber"},
	})
	ctx := context.Background()
	domain, err := dir.(directory.PolicyReader).PasswordPolicy(ctx)
	if err != nil {
		t.Fatalf("domain policy: %v", err)
	}
	account, _ := ownSambaAccount(t)
	u, err := dir.Find(ctx, directory.Lookup{Kind: directory.ByAccountName, Value: account})
	if err != nil {
		t.Fatal(err)
	}
	wantMin := max(domain.MinLength, 8) + 10
	pso := goldap.NewAddRequest("CN=resetbot-webauth-"+ownSuffix(t)+",CN=Password Settings Container,CN=System,DC=example,DC=test", nil)
	for attr, v := range map[string]string{
		"objectClass":                              "msDS-PasswordSettings",
		"msDS-PasswordSettingsPrecedence":          "10",
		"msDS-PasswordReversibleEncryptionEnabled": "FALSE",
		"msDS-PasswordHistoryLength":               "3",
		"msDS-PasswordComplexityEnabled":           "TRUE",
		"msDS-MinimumPasswordLength":               strconv.Itoa(wantMin),
		"msDS-MinimumPasswordAge":                  "0",
		"msDS-MaximumPasswordAge":                  "-37108517437440",
		"msDS-LockoutThreshold":                    "7",
		"msDS-LockoutObservationWindow":            "-18000000000",
		"msDS-LockoutDuration":                     "-18000000000",
		"msDS-PSOAppliesTo":                        u.DN,
	} {
		pso.Attribute(attr, []string{v})
	}
	addOwn(t, admin, pso)

	r := newRig(t, rigOptions{dir: dir})
	ts := r.server(t)
	is := r.start(t, flows.KindReset, account)
	b := newBrowser(t, ts)
	if st, loc := b.redeem(is.Token); st != http.StatusSeeOther {
		t.Fatalf("redeem: %d %q", st, loc)
	}
	id := is.Flow.ID
	// The web app checked the passkey's assertion (the Chromium tests do
	// that part for real).
	if _, err := r.eng.RecordVerification(ctx, id, readJarBinding(t, b, id), flows.Verification{Method: flows.MethodPasskey, OK: true}); err != nil {
		t.Fatal(err)
	}
	st, _, page, _ := b.get("/f/" + id + "/password")
	if st != http.StatusOK {
		t.Fatalf("password page: %d\n%s", st, page)
	}
	line := i18n.For("en").T("web.rule.min_length", "Count", wantMin)
	for _, want := range []string{`<li data-rule="min_length">` + line, `minlength="` + strconv.Itoa(wantMin) + `"`, "minlength: " + strconv.Itoa(wantMin) + ";"} {
		if !strings.Contains(page, want) {
			t.Errorf("the password page lacks %q (the PSO's minimum; the domain's is %d):\n%s", want, domain.MinLength, page)
		}
	}

	// Long enough for the domain, complex, but one short of the PSO.
	pw := (webauthtest.RandomPassword() + webauthtest.RandomPassword())[:wantMin-1]
	if len(pw) < domain.MinLength {
		t.Fatalf("test password %d long, under the domain's %d", len(pw), domain.MinLength)
	}
	st, _, body, _ := b.postForm("/f/"+id+"/password", map[string]string{"csrf": csrfOf(t, page), "password": pw})
	if st != http.StatusUnprocessableEntity {
		t.Fatalf("submit of a password under the PSO's minimum: %d, want 422\n%s", st, problemOf(body))
	}
	if p := problemOf(body); !strings.Contains(p, line) {
		t.Errorf("the refusal does not say the PSO's rule %q:\n%s", line, p)
	}
	if f, err := r.store.Get(ctx, id); err != nil || f.State != flows.StateVerified {
		t.Errorf("after the refusal the flow is %v (%v), want it verified, to try again", f.State, err)
	}
}
