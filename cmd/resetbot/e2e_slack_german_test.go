package main

import (
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/resetbot/resetbot/bot/slack/slackfake"
	"github.com/resetbot/resetbot/webauth/webauthtest"
)

// TestSlackGermanUser: a Slack member whose locale is de-DE (users.info
// with include_locale) gets the link's message in German, and the page
// the link opens is German, with <html lang="de"> and the expiry in the
// member's Slack time zone, in a browser that asks for English: the
// language follows the person from chat to the web (#11 §5), through
// serve's own wiring. The first thing the member reads is German too:
// the ack is empty (nothing is known of the member inside Slack's 3
// seconds) and the working message follows through the response URL once
// users.info answered; the next command's ack is German at once.
func TestSlackGermanUser(t *testing.T) {
	r := newSlackRig(t, false)
	r.fake.AddUser(slackfake.User{ID: "U0SPARE1", Name: "spare1", Locale: "de-DE", TZ: "Europe/Berlin"})
	browser := webauthtest.NewBrowser(t, filepath.Join("testdata", "screenshots"), "slack-de")

	if ack := r.commandAck("U0SPARE1", "enroll", "de-first"); ack != "" {
		t.Fatalf("the ack to a member not met yet = %q, want an empty 200", ack)
	}
	link := r.link("U0SPARE1", 1)
	var chat []string
	for _, m := range r.fake.DMs("U0SPARE1") {
		chat = append(chat, m.Text, visibleText(m.Blocks))
	}
	dm := strings.Join(chat, "\n")
	if !strings.Contains(dm, "Passkey einrichten") || strings.Contains(dm, "Set up a passkey") {
		t.Fatalf("the link's message is not German:\n%s", dm)
	}
	var first []string
	for _, resp := range r.fake.Responses() {
		if resp.ID == "de-first" {
			first = append(first, resp.Text)
		}
	}
	if len(first) != 1 || !strings.Contains(first[0], "Alles klar") {
		t.Fatalf("the first reply through the response URL = %q, want one German working message", first)
	}
	if ack := r.commandAck("U0SPARE1", "status", "de-later"); !strings.Contains(ack, "Ich prüfe") {
		t.Fatalf("the ack to a member met before = %q, want German", ack)
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

// commandAck types "/reset text" as user with the response URL respID and
// returns the body of the immediate answer.
func (r *slackRig) commandAck(user, text, respID string) string {
	r.t.Helper()
	req := slackfake.SignedCommand(testSigningSecret, slackfake.CommandForm(user, text, r.fake.ResponseURL(respID)), time.Now())
	u, _ := req.URL.Parse(r.base + req.URL.Path)
	req.URL, req.Host = u, u.Host
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		r.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		r.t.Fatalf("%s: status %d, %v", req.URL.Path, resp.StatusCode, err)
	}
	return string(body)
}
