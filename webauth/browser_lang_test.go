package webauth

import (
	"context"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/resetbot/resetbot/directory"
	"github.com/resetbot/resetbot/flows"
	"github.com/resetbot/resetbot/webauth/webauthtest"
)

// TestBrowserGermanFlow: a flow whose person's chat language is German
// shows German pages (with <html lang="de">) in a browser that asks for
// English: the chat language comes first. The whole reset goes through in
// German, the live checklist included (#11).
func TestBrowserGermanFlow(t *testing.T) {
	ctx := context.Background()
	dir := memoryDir(t)
	u, err := dir.Find(ctx, directory.Lookup{Kind: directory.ByAccountName, Value: "jdoe"})
	if err != nil {
		t.Fatal(err)
	}
	current := webauthtest.RandomPassword()
	if err := dir.SetPassword(ctx, u, current); err != nil {
		t.Fatal(err)
	}
	s := newSite(t, dir, false)
	c := newChrome(t, "german")
	c.Authenticator(true)
	c.enroll(s, "jdoe", current)

	is := s.startAs(t, flows.KindReset, "jdoe", "U-jdoe", flows.Locale{Lang: "de", TimeZone: "Europe/Berlin"})
	c.Do(chromedp.Navigate(s.base+"/r/"+is.Token), chromedp.WaitVisible(chromedp.CSS("#continue")))
	lang, err := chromedp.Run(c.Ctx, chromedp.Evaluate[string](`document.documentElement.lang + " " + navigator.language`))
	if err != nil || !strings.HasPrefix(lang, "de en") {
		t.Fatalf("page and browser language: %q, %v", lang, err)
	}
	txt := c.Text()
	for _, want := range []string{"Passwort zurücksetzen für", "Weiter mit Passkey", "Der Link gilt bis", "Bestätigen"} {
		if !strings.Contains(txt, want) {
			t.Errorf("German landing lacks %q:\n%s", want, txt)
		}
	}
	c.State("landing-de")
	c.Tap("#continue")
	c.WaitJS(`!!document.getElementById("password-form")`)
	c.TypeNewPassword(webauthtest.RandomPassword())
	if txt := c.Text(); !strings.Contains(txt, "Neues Passwort wählen") || !strings.Contains(txt, "Mindestens 12 Zeichen") {
		t.Errorf("German password page:\n%s", txt)
	}
	c.State("password-de")
	c.Tap("#set-password")
	c.Do(chromedp.WaitVisible(chromedp.CSS("#done-headline")))
	if txt := c.Text(); !strings.Contains(txt, "Dein Passwort wurde geändert.") {
		t.Errorf("German done page:\n%s", txt)
	}
}

// TestBrowserBrandedPage: web.branding puts the company's name at the top
// and in the title, and its colour on the primary button; no page says
// "resetbot". TestBrowserREADMEScreenshots takes the README's picture of
// this page.
func TestBrowserBrandedPage(t *testing.T) {
	s := newSiteWith(t, rigOptions{dir: memoryDir(t), brand: Branding{CompanyName: "Example Corp", PrimaryColor: "#0f766e"}})
	c := newChrome(t, "branded")
	is := s.start(t, flows.KindReset, "jdoe")
	c.Do(chromedp.Navigate(s.base+"/r/"+is.Token), chromedp.WaitVisible(chromedp.CSS("#continue")))
	got, err := chromedp.Run(c.Ctx, chromedp.Evaluate[string](
		`document.title + " | " + document.getElementById("brand").textContent + " | " + getComputedStyle(document.getElementById("continue")).backgroundColor`))
	if err != nil || !strings.HasSuffix(strings.SplitN(got, " | ", 2)[0], "· Example Corp") ||
		!strings.Contains(got, "| Example Corp · Password reset |") || !strings.HasSuffix(got, "rgb(15, 118, 110)") {
		t.Fatalf("branding: %q, %v", got, err)
	}
	if html, _ := chromedp.Run(c.Ctx, chromedp.Evaluate[string](`document.documentElement.outerHTML`)); strings.Contains(strings.ToLower(html), "resetbot") {
		t.Error("a branded page names resetbot")
	}
	c.State("landing")
}
