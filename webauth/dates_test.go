package webauth

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/resetbot/resetbot/flows"
	"github.com/resetbot/resetbot/internal/i18n"
)

// TestPagesLocaliseDates: the dates a page shows (when a link's flow was
// completed; when each passkey was added, in the wrong-device list) are in
// the reader's language and time zone, never Go's English month names
// (#11).
func TestPagesLocaliseDates(t *testing.T) {
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatalf("the zone database: %v", err)
	}
	for _, lang := range []string{"en", "de", "fr", "es"} {
		t.Run(lang, func(t *testing.T) {
			r := newRig(t, rigOptions{})
			ts := r.server(t)
			ctx := context.Background()
			loc := flows.Locale{Lang: lang, TimeZone: "Europe/Berlin"}
			l := i18n.For(lang)
			now := r.clock.Now()
			english := now.In(berlin).Format("2 Jan")
			wantDay := l.DayMonth(now.In(berlin))

			// A completed flow's link says when, with the day.
			done := r.startAs(t, flows.KindReset, "pwuser", "U-pwuser", loc)
			_, binding, err := r.eng.Redeem(ctx, done.Token, flows.Client{})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := r.eng.RecordVerification(ctx, done.Flow.ID, binding, flows.Verification{Method: flows.MethodPasskey, OK: true, Reason: "test"}); err != nil {
				t.Fatal(err)
			}
			if _, err := r.eng.Complete(ctx, done.Flow.ID, binding, flows.Completion{NewPassword: "Quiet-Harbour-71-Lantern"}); err != nil {
				t.Fatal(err)
			}
			_, _, body, _ := newBrowser(t, ts).get("/r/" + done.Token)
			want := now.In(berlin).Format("15:04 MST") + ", " + wantDay
			if !strings.Contains(body, want) {
				t.Errorf("completed-link page lacks %q:\n%s", want, problemOf(body))
			}
			if lang != "en" && strings.Contains(body, english) {
				t.Errorf("completed-link page has the English date %q", english)
			}

			// The wrong-device list after two missed prompts.
			pk := oldPasskey
			pk.CreatedAt = now.Add(-40 * 24 * time.Hour)
			if err := r.creds.AddPasskey(ctx, accountIDOf(t, r, "jdoe"), pk); err != nil {
				t.Fatal(err)
			}
			is := r.startAs(t, flows.KindReset, "jdoe", "U-jdoe", loc)
			b := newBrowser(t, ts)
			if st, where := b.redeem(is.Token); st != http.StatusSeeOther || !strings.HasSuffix(where, "/verify") {
				t.Fatalf("redeem: %d to %q", st, where)
			}
			// Two prompts cancelled in this browser (the page counts them).
			_, _, body, _ = b.get("/f/" + is.Flow.ID + "/verify?passkey=cancelled&try=2")
			added := l.Date(pk.CreatedAt.In(berlin))
			if !strings.Contains(body, `id="devices"`) || !strings.Contains(body, added) {
				t.Errorf("wrong-device list lacks the date %q:\n%s", added, body)
			}
			if lang != "en" && strings.Contains(body, pk.CreatedAt.In(berlin).Format("2 Jan 2006")) {
				t.Errorf("wrong-device list has the English date")
			}
		})
	}
}
