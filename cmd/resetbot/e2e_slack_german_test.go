package main

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/resetbot/resetbot/bot/slack/slackfake"
	"github.com/resetbot/resetbot/webauth/webauthtest"
)

// TestSlackGermanUser: a Slack member whose locale is de-DE (users.info
// with include_locale) gets the link's message in German, and the page
// the link opens is German, with <html lang="de"> and the expiry in the
// member's Slack time zone, in a browser that asks for English: the
// language follows the person from chat to the web (#11 §5), through
// serve's own wiring. (The immediate answer to the slash command is sent
// before users.info is asked, and is in helpdesk.language.)
func TestSlackGermanUser(t *testing.T) {
	r := newSlackRig(t, false)
	r.fake.AddUser(slackfake.User{ID: "U0SPARE1", Name: "spare1", Locale: "de-DE", TZ: "Europe/Berlin"})
	browser := webauthtest.NewBrowser(t, filepath.Join("testdata", "screenshots"), "slack-de")

	r.command("U0SPARE1", "enroll")
	link := r.link("U0SPARE1", 1)
	var chat []string
	for _, m := range r.fake.DMs("U0SPARE1") {
		chat = append(chat, m.Text, visibleText(m.Blocks))
	}
	dm := strings.Join(chat, "\n")
	if !strings.Contains(dm, "Passkey einrichten") || strings.Contains(dm, "Set up a passkey") {
		t.Fatalf("the link's message is not German:\n%s", dm)
	}

	browser.Do(chromedp.Navigate(link), chromedp.WaitVisible(chromedp.CSS("#continue")))
	lang, err := chromedp.Run(browser.Ctx, chromedp.Evaluate[string](`document.documentElement.lang + " " + navigator.language`))
	if err != nil || !strings.HasPrefix(lang, "de en") {
		t.Fatalf("page and browser language: %q, %v", lang, err)
	}
	txt := browser.Text()
	for _, want := range []string{"Anmeldung einrichten für", "Der Link gilt bis"} {
		if !strings.Contains(txt, want) {
			t.Errorf("the landing page lacks %q:\n%s", want, txt)
		}
	}
	// The expiry is in the member's own time zone (Slack's tz).
	if !strings.Contains(txt, " CET") {
		t.Errorf("the expiry is not in Europe/Berlin:\n%s", txt)
	}
	browser.State("landing-de")
}
