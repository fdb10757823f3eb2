package webauth

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/resetbot/resetbot/flows"
)

// TestExpiredPageAsksOnce: the expired-link page tells the user to ask
// the bot for a new link exactly once in every language; the page's
// restart hint says it, so the problem message must not say it again
// (#11).
func TestExpiredPageAsksOnce(t *testing.T) {
	r := newRig(t, rigOptions{})
	ts := r.server(t)
	expired := r.start(t, flows.KindReset, "jdoe")
	r.clock.Advance(11 * time.Minute)
	phrase := map[string]string{
		"en": "new link",
		"de": "neuen Link",
		"fr": "nouveau lien",
		"es": "enlace nuevo",
	}
	for lang, p := range phrase {
		t.Run(lang, func(t *testing.T) {
			st, _, body, _ := newBrowser(t, ts).get("/r/"+expired.Token, "Accept-Language", lang)
			if st != http.StatusGone {
				t.Fatalf("status %d, want %d", st, http.StatusGone)
			}
			if n := strings.Count(body, p); n != 1 {
				t.Fatalf("%q appears %d times on the expired page, want once:\n%s", p, n, body)
			}
		})
	}
}
