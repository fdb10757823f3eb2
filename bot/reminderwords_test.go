package bot

import (
	"strings"
	"testing"
	"time"

	"github.com/resetbot/resetbot/flows"
)

// TestExpiryReminderWords: the reminder comes from the catalogue in the
// configured language, counts whole days rounded up (singular and
// plural), says "within a day" on the last day, and dates the expiry in
// the configured time zone.
func TestExpiryReminderWords(t *testing.T) {
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	expires := time.Date(2027, 3, 1, 8, 30, 0, 0, time.UTC)
	cases := []struct {
		lang        string
		left        time.Duration
		want        []string
		wantSummary string
		button      string
	}{
		{"en", 2*day + time.Hour, []string{"in 3 days", "2027-03-01 09:30 CET"}, "Your password expires in 3 days.", "Change my password"},
		{"en", 30 * day, []string{"in 30 days"}, "Your password expires in 30 days.", "Change my password"},
		{"en", 5 * time.Hour, []string{"within a day"}, "Your password expires within a day.", "Change my password"},
		{"de", 6*day + time.Minute, []string{"in 7 Tagen", "2027-03-01 09:30 CET"}, "Dein Passwort läuft in 7 Tagen ab.", "Mein Passwort ändern"},
		{"fr", day + time.Second, []string{"dans 2 jours"}, "Votre mot de passe expire dans 2 jours.", "Changer mon mot de passe"},
	}
	for _, tc := range cases {
		b := &Bot{cfg: Config{Language: tc.lang, Location: berlin}}
		m := b.msgExpiryReminder(expires, tc.left, flows.Locale{})
		body := strings.Join(m.Body, "\n")
		for _, w := range tc.want {
			if !strings.Contains(body, w) {
				t.Errorf("%s, %s left: body %q lacks %q", tc.lang, tc.left, body, w)
			}
		}
		if m.Summary != tc.wantSummary || len(m.Buttons) != 1 || m.Buttons[0].Label != tc.button || strings.Contains(body, "chat.reminder") {
			t.Errorf("%s, %s left: summary %q, buttons %+v", tc.lang, tc.left, m.Summary, m.Buttons)
		}
	}
}

// TestExpiryReminderInPersonsLocale: the platform's language and time zone
// for the person win over the configured ones; a language the catalogue
// lacks, or a zone that does not exist, falls back to the configured one.
func TestExpiryReminderInPersonsLocale(t *testing.T) {
	expires := time.Date(2027, 3, 1, 8, 30, 0, 0, time.UTC)
	b := &Bot{cfg: Config{Language: "fr", Location: time.UTC}}
	cases := []struct {
		loc        flows.Locale
		want, zone string
	}{
		{flows.Locale{Lang: "de-DE", TimeZone: "America/New_York"}, "in 3 Tagen", "2027-03-01 03:30 EST"},
		{flows.Locale{Lang: "ja-JP", TimeZone: "Not/AZone"}, "dans 3 jours", "2027-03-01 08:30 UTC"},
		{flows.Locale{}, "dans 3 jours", "2027-03-01 08:30 UTC"},
	}
	for _, tc := range cases {
		body := strings.Join(b.msgExpiryReminder(expires, 3*day, tc.loc).Body, "\n")
		if !strings.Contains(body, tc.want) || !strings.Contains(body, tc.zone) {
			t.Errorf("%+v: %q, want %q and %q", tc.loc, body, tc.want, tc.zone)
		}
	}
}
