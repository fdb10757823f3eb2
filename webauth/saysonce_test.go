package webauth

import (
	"context"
	"html"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/resetbot/resetbot/flows"
	"github.com/resetbot/resetbot/internal/i18n"
)

// askAgain is, per language, the words a page uses to send the person back
// to the bot: each may appear once on a page.
var askAgain = map[string][]string{
	"en": {"new link", "ask the bot"},
	"de": {"neuen link", "bitte den bot"},
	"fr": {"nouveau lien", "au bot"},
	"es": {"enlace nuevo", "pida al bot"},
}

var (
	tagRE      = regexp.MustCompile(`(?s)<[^>]*>`)
	sentenceRE = regexp.MustCompile(`[^.!?;:]+[.!?;:]*`)
)

// pageSentences are the sentences a person reads in a page's main card:
// the text of each element, split at sentence ends, lower-cased, with
// fragments under three words (step labels, the brand) left out.
func pageSentences(body string) []string {
	if i := strings.Index(body, "<main"); i >= 0 {
		body = body[i:]
	}
	if i := strings.Index(body, "</main>"); i >= 0 {
		body = body[:i]
	}
	var out []string
	for _, chunk := range tagRE.Split(body, -1) {
		text := strings.Join(strings.Fields(html.UnescapeString(chunk)), " ")
		for _, s := range sentenceRE.FindAllString(text, -1) {
			s = strings.ToLower(strings.TrimSpace(strings.TrimRight(s, ".!?;: ")))
			if len(strings.Fields(s)) >= 3 {
				out = append(out, s)
			}
		}
	}
	return out
}

// checkSaysOnce fails when a page repeats a sentence or asks for a new
// link more than once.
func checkSaysOnce(t *testing.T, lang, body string) {
	t.Helper()
	sentences := pageSentences(body)
	seen := map[string]bool{}
	for _, s := range sentences {
		if seen[s] {
			t.Errorf("the page says %q twice:\n%s", s, strings.Join(sentences, "\n"))
		}
		seen[s] = true
	}
	text := strings.Join(sentences, " | ")
	for _, p := range askAgain[lang] {
		if n := strings.Count(text, p); n > 1 {
			t.Errorf("%q appears %d times, want at most once:\n%s", p, n, strings.Join(sentences, "\n"))
		}
	}
}

// TestProblemPagesSayItOnce: every catalogued problem's page, in every
// language, says what happened once and what to do next once: no sentence
// twice, no second request for a new link; a problem that ends the flow
// (Restart) names the way on (#11).
func TestProblemPagesSayItOnce(t *testing.T) {
	r := newRig(t, rigOptions{})
	if len(i18n.Supported()) < 4 {
		t.Fatalf("languages: %v", i18n.Supported())
	}
	for _, tag := range i18n.Supported() {
		lang := tag.String()
		if askAgain[lang] == nil {
			t.Fatalf("no words to count for %s", lang)
		}
		for _, c := range catalogue {
			t.Run(lang+"/"+c.p.Code, func(t *testing.T) {
				req := httptest.NewRequest(http.MethodGet, "/r/x", nil)
				req.Header.Set("Accept-Language", lang)
				req = r.srv.withReader(req)
				rec := httptest.NewRecorder()
				r.srv.fail(rec, req, nil, c.err)
				body := rec.Body.String()
				if rec.Code != c.p.Status {
					t.Fatalf("status %d, want %d", rec.Code, c.p.Status)
				}
				checkSaysOnce(t, lang, body)
				// The label a script puts before an error id it shows.
				if label := i18n.For(lang).T("web.error_id"); !strings.Contains(html.UnescapeString(body), `data-errid="`+label+`"`) {
					t.Errorf("the page's body lacks data-errid=%q", label)
				}
				if c.p.Restart {
					words := strings.ToLower(problemOf(body) + hintOf(body))
					if !strings.Contains(words, "helpdesk") && !strings.Contains(words, "support") && !strings.Contains(words, "soporte") && !strings.Contains(words, "bot") {
						t.Errorf("a page whose flow is over names no way on:\n%s", strings.Join(pageSentences(body), "\n"))
					}
				}
			})
		}
	}
}

// hintOf is the error page's next-step line.
func hintOf(body string) string {
	i := strings.Index(body, `id="next-step"`)
	if i < 0 {
		return ""
	}
	rest := body[i:]
	return rest[:strings.Index(rest, "</p>")]
}

// TestLinkStatePagesSayItOnce opens the link of every state a flow can
// end in, and the links that cannot work (not valid, expired, in another
// browser), in English, German, French and Spanish: each page says what
// happened once and what to do next once (#11).
func TestLinkStatePagesSayItOnce(t *testing.T) {
	r := newRig(t, rigOptions{})
	ts := r.server(t)
	ctx := context.Background()

	replaced := r.start(t, flows.KindReset, "jdoe")
	r.start(t, flows.KindReset, "jdoe")

	cancelled := r.start(t, flows.KindReset, "spare1")
	if _, err := r.eng.Cancel(ctx, cancelled.Flow.ID, flows.ChatIdentity{Platform: "slack", UserID: "U-spare1"}, "test"); err != nil {
		t.Fatal(err)
	}

	failed := r.start(t, flows.KindReset, "spare2")
	_, binding, err := r.eng.Redeem(ctx, failed.Token, flows.Client{})
	if err != nil {
		t.Fatal(err)
	}
	for range 3 {
		_, _ = r.eng.RecordVerification(ctx, failed.Flow.ID, binding, flows.Verification{Method: flows.MethodPasskey, Reason: "test"})
	}
	if f, err := r.store.Get(ctx, failed.Flow.ID); err != nil || f.State != flows.StateFailed {
		t.Fatalf("failed flow: %v %v", f, err)
	}

	// Redeemed in one browser, opened in another.
	first := newBrowser(t, ts)
	other := r.start(t, flows.KindReset, "pwuser")
	if st, loc := first.redeem(other.Token); st != http.StatusSeeOther {
		t.Fatalf("redeem: %d %s", st, loc)
	}

	expired := r.start(t, flows.KindUnlock, "alice")
	r.clock.Advance(11 * time.Minute)

	pages := []struct {
		name, path string
		status     int
	}{
		{"replaced", "/r/" + replaced.Token, http.StatusGone},
		{"cancelled", "/r/" + cancelled.Token, http.StatusGone},
		{"failed", "/r/" + failed.Token, http.StatusGone},
		{"invalid", "/r/not-a-token-at-all", http.StatusNotFound},
		{"other browser", "/f/" + other.Flow.ID + "/password", http.StatusForbidden},
		{"expired", "/r/" + expired.Token, http.StatusGone},
	}
	for lang := range askAgain {
		for _, p := range pages {
			t.Run(lang+"/"+p.name, func(t *testing.T) {
				st, _, body, _ := newBrowser(t, ts).get(p.path, "Accept-Language", lang)
				if st != p.status {
					t.Fatalf("status %d, want %d:\n%s", st, p.status, problemOf(body))
				}
				if hintOf(body) == "" && p.name != "replaced" {
					t.Errorf("no next step on the page:\n%s", strings.Join(pageSentences(body), "\n"))
				}
				checkSaysOnce(t, lang, body)
			})
		}
	}
}
