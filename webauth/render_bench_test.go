package webauth

import (
	"html/template"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/resetbot/resetbot/directory"
	"github.com/resetbot/resetbot/flows"
)

// BenchmarkRenderPage is the cost of rendering the three pages every reset
// shows (the landing, the verification and the new-password page) with
// the data their handlers give them, in English and German: allocs/op and
// B/op are the template's own work per page, apart from the handler's
// reads (#10: templates were about 10% of the service's CPU per reset).
func BenchmarkRenderPage(b *testing.B) {
	s, is, fc := renderRig(b)
	f := is.Flow
	for _, lang := range []string{"en", "de"} {
		req := httptest.NewRequest(http.MethodGet, "/f/"+f.ID+"/password", nil)
		req.Header.Set("Accept-Language", lang)
		req = s.withReader(req)
		rules, ui, err := s.passwordRules(req, f)
		if err != nil {
			b.Fatal(err)
		}
		js, err := rules.ClientJSON()
		if err != nil {
			b.Fatal(err)
		}
		landing := page{Title: s.tr(req).T(verb(f.Kind)) + " " + f.Subject.AccountName, Steps: steps(f.Kind), Step: 1,
			CSRF: "nonce.mac", Early: []string{"common.js", "landing.js"}, Kind: f.Kind,
			Data: landingData{Action: "/r/" + is.Token, Account: f.Subject.AccountName, Display: f.Subject.DisplayName, Verb: verb(f.Kind),
				Expires: clock(f.ExpiresAt, time.UTC), ExpiresISO: f.ExpiresAt.UTC().Format(time.RFC3339),
				QR: template.URL(s.landingQRPath(is.Token))}}
		verify := basePage(fc, "web.verify.title", 1)
		verify.Early = []string{"common.js", "passkey-login.js"}
		verify.Data = verifyData{TOTP: true, Account: f.Subject.AccountName}
		pw := basePage(fc, "web.password.title", 2)
		pw.Early, pw.Scripts = []string{"toggle.js"}, []string{"common.js", "password.js"}
		pw.Data = passwordData{RulesJSON: string(js), Checklist: checklist(s.tr(req), rules, ui),
			MinLength: rules.MinLength, MaxLength: max(rules.MaxLength, minMaxLength), Account: f.Subject.AccountName,
			HistoryLength: rules.HistoryLength, PasswordRules: rules.PasswordRulesAttr()}
		for _, pg := range []struct {
			name string
			p    page
		}{{"landing", landing}, {"verify", verify}, {"password", pw}} {
			b.Run(pg.name+"/"+lang, func(b *testing.B) {
				w := &discardResponse{h: http.Header{}}
				b.ReportAllocs()
				for b.Loop() {
					w.n = 0
					s.render(w, req, http.StatusOK, pg.name, pg.p)
				}
				if w.status != http.StatusOK || w.n < 1000 {
					b.Fatalf("%s: status %d, %d bytes", pg.name, w.status, w.n)
				}
				b.SetBytes(int64(w.n))
			})
		}
	}
}

// discardResponse is a ResponseWriter that keeps only the status and the
// size of what was written, so a render benchmark counts the render alone.
type discardResponse struct {
	h      http.Header
	status int
	n      int
}

func (d *discardResponse) Header() http.Header { return d.h }

func (d *discardResponse) WriteHeader(status int) { d.status = status }

func (d *discardResponse) Write(p []byte) (int, error) {
	d.n += len(p)
	return len(p), nil
}

// renderRig starts jdoe's reset on a rig with an authenticator app, for
// the tests and benchmarks that render its pages straight from the
// templates: the server, the started flow (its link token too) and the
// flow's request context as the pages' handlers make it.
func renderRig(tb testing.TB) (*Server, *flows.Issued, *flowCtx) {
	tb.Helper()
	r := newRig(tb, rigOptions{totp: true})
	s := r.srv
	is, err := r.eng.Start(tb.Context(), flows.StartRequest{
		Kind:   flows.KindReset,
		Lookup: directory.Lookup{Kind: directory.ByAccountName, Value: "jdoe"},
		Chat:   flows.ChatIdentity{Platform: "slack", UserID: "U0JDOE"}, RequestedBy: flows.ChatIdentity{Platform: "slack", UserID: "U0JDOE"},
	})
	if err != nil {
		tb.Fatal(err)
	}
	f := is.Flow
	return s, is, &flowCtx{flow: f, binding: "test-binding-secret", csrf: s.flowCSRF(f.ID, "test-binding-secret")}
}
