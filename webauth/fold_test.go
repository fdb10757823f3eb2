package webauth

import (
	"bytes"
	"html/template"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/resetbot/resetbot/internal/i18n"
)

// TestFoldedPagesAreTheSame renders the pages of a reset, with and without
// a problem, with every option their data has, in every language, from
// the folded templates the app serves and from the same templates
// unfolded: the bytes must be the same.
func TestFoldedPagesAreTheSame(t *testing.T) {
	s, is, fc := renderRig(t)
	f := is.Flow
	prob := &shownProblem{Title: `A "title" & <more>`, Message: "Don't + go", Code: "x", ID: "ERR-1", Hint: "hint"}
	for _, tag := range i18n.Supported() {
		lang := i18n.For(tag.String())
		folded, err := loadPages(lang, nil, true)
		if err != nil {
			t.Fatal(err)
		}
		plain, err := loadPages(lang, nil, false)
		if err != nil {
			t.Fatal(err)
		}
		req := httptest.NewRequest(http.MethodGet, "/f/"+f.ID+"/password", nil)
		req.Header.Set("Accept-Language", lang.String())
		req = s.withReader(req)
		rules, ui, err := s.passwordRules(req, f)
		if err != nil {
			t.Fatal(err)
		}
		js, _ := rules.ClientJSON()
		var cases []struct {
			name string
			p    page
		}
		add := func(name string, p page) {
			p.Lang = lang.String()
			cases = append(cases, struct {
				name string
				p    page
			}{name, p})
		}
		for _, qr := range []bool{false, true} {
			for _, pk := range []bool{false, true} {
				d := landingData{Action: "/r/" + is.Token, Account: "jdoe", Display: "John Doe", Verb: verb(f.Kind), Passkey: pk, Helpdsk: qr,
					Expires: clock(f.ExpiresAt, time.UTC), ExpiresISO: f.ExpiresAt.UTC().Format(time.RFC3339)}
				if qr {
					d.QR = template.URL(s.landingQRPath(is.Token))
				}
				add("landing", page{Title: "Reset jdoe", Steps: steps(f.Kind), Step: 1, CSRF: "n.m", Data: d, Early: []string{"common.js"}, Kind: f.Kind,
					Brand: Branding{CompanyName: "Ex & Co", PrimaryColor: "#123"}})
				v := basePage(fc, "Verify", 1)
				v.Data = verifyData{Passkey: pk, TOTP: qr, Account: "jdoe", Notice: "closed", Tries: 2,
					Devices: []passkeyView{{Name: "Phone <1>", Created: "today"}}}
				if pk {
					v.Problem, v.Stopped = prob, true
				}
				add("verify", v)
				pw := basePage(fc, "Password", 2)
				pw.Data = passwordData{RulesJSON: string(js), Checklist: checklist(lang, rules, ui), MinLength: rules.MinLength,
					MaxLength: 64, Account: "jdoe", HistoryLength: 5, PasswordRules: rules.PasswordRulesAttr(), Confirm: qr}
				if pk {
					pw.Problem = prob
				}
				add("password", pw)
			}
		}
		add("error", page{Title: prob.Title, Problem: prob, ProblemHeading: true})
		for _, c := range cases {
			var a, b bytes.Buffer
			errA := folded[c.name].ExecuteTemplate(&a, "layout", c.p)
			errB := plain[c.name].ExecuteTemplate(&b, "layout", c.p)
			if errA != nil || errB != nil {
				t.Fatalf("%s/%s: %v / %v", lang, c.name, errA, errB)
			}
			if !bytes.Equal(a.Bytes(), b.Bytes()) {
				t.Errorf("%s/%s: folded page differs:\n%s\n---- unfolded:\n%s", lang, c.name, a.String(), b.String())
			}
		}
	}
}
