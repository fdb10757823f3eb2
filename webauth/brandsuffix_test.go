package webauth

import (
	"net/http"
	"strings"
	"testing"

	"github.com/resetbot/resetbot/flows"
	"github.com/resetbot/resetbot/internal/i18n"
)

// TestBrandSuffixFollowsTheKind: the header under the company name says
// what the page is for, in the page's language: an enrollment, an unlock,
// an approval or a caller check never reads "Password reset" (#11 §3:
// enrollment never borrows reset wording).
func TestBrandSuffixFollowsTheKind(t *testing.T) {
	want := map[flows.Kind]string{
		flows.KindReset: "Password reset", flows.KindChange: "Password change", flows.KindEnroll: "Sign-in setup",
		flows.KindRevoke: "Sign-in setup", flows.KindUnlock: "Account unlock", flows.KindApprove: "Helpdesk approval",
		flows.KindVerify: "Identity check", "": "Password reset",
	}
	en, de := i18n.For("en"), i18n.For("de")
	for kind, words := range want {
		id := page{Kind: kind}.BrandSuffix()
		if got := en.T(id); got != words {
			t.Errorf("%q: %q, want %q", kind, got, words)
		}
		if got := de.T(id); got == id || (kind != flows.KindReset && kind != "" && got == de.T("web.brand_suffix")) {
			t.Errorf("%q in German: %q", kind, got)
		}
	}

	r := newRig(t, rigOptions{brand: Branding{CompanyName: "Example Corp"}})
	ts := r.server(t)
	for _, tc := range []struct {
		kind    flows.Kind
		account string
		header  string
	}{
		{flows.KindReset, "jdoe", "Example Corp · Password reset"},
		{flows.KindEnroll, "pwuser", "Example Corp · Sign-in setup"},
		{flows.KindUnlock, "lockme", "Example Corp · Account unlock"},
	} {
		b := newBrowser(t, ts)
		is := r.start(t, tc.kind, tc.account)
		st, _, body, _ := b.get("/r/" + is.Token)
		if st != http.StatusOK || !strings.Contains(body, `<p class="brand" id="brand">`+tc.header+`</p>`) {
			t.Errorf("%s landing: %d, want the header %q:\n%s", tc.kind, st, tc.header, body)
		}
		if tc.kind != flows.KindEnroll {
			continue
		}
		// The enrollment's next page, the current-password proof.
		st, loc := b.redeem(is.Token)
		if st != http.StatusSeeOther {
			t.Fatalf("redeem: %d", st)
		}
		if _, _, body, _ := b.get(loc); !strings.Contains(body, tc.header) || strings.Contains(body, "Password reset") {
			t.Errorf("enrollment page %s borrows reset wording:\n%s", loc, body)
		}
	}
}
