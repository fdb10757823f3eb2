package bot

import (
	"strings"
	"testing"
	"time"
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
		m := b.msgExpiryReminder(expires, tc.left)
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
