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

// TestBrowserPasswordRefusal: the password form helps (#11). A name in the
// password is caught in the browser, the line says which part matched and
// Set stays disabled; a password the directory refuses (the current one,
// by its history rule) is shown next to the field, which keeps what was
// typed, gets the focus and aria-invalid, with the directory's reason
// ending in one full stop; typing again clears the refusal.
func TestBrowserPasswordRefusal(t *testing.T) {
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
	c := newChrome(t, "refusal")
	c.Authenticator(true)
	c.enroll(s, "jdoe", current)
	is := s.start(t, flows.KindReset, "jdoe")
	c.OpenReset(s.base + "/r/" + is.Token)

	eval := func(js string) string {
		t.Helper()
		v, err := chromedp.Run(c.Ctx, chromedp.Evaluate[string](js))
		if err != nil {
			t.Fatalf("%s: %v", js, err)
		}
		return v
	}
	c.Type("#password", "Harbour-JDoe-71-Lantern")
	c.Do(chromedp.WaitVisible(chromedp.CSS(`li[data-rule="no_name"].bad`)))
	if line := eval(`document.querySelector('li[data-rule="no_name"]').textContent`); !strings.Contains(line, "it contains “jdoe”") || !strings.Contains(line, "not met") {
		t.Errorf("name line: %q", line)
	}
	if eval(`String(document.getElementById("set-password").disabled)`) != "true" {
		t.Error("Set is enabled while the name rule fails")
	}
	c.State("name-rule")

	eval(`(() => { const p = document.getElementById("password"); p.value = ""; p.dispatchEvent(new Event("input")); return "" })()`)
	c.Do(chromedp.SendKeys(chromedp.CSS("#password"), current),
		chromedp.WaitVisible(chromedp.CSS(`li[data-rule="strength"].ok`)), chromedp.WaitVisible(chromedp.CSS(`li[data-rule="not_breached"].ok`)))
	c.Tap("#set-password")
	c.Do(chromedp.WaitVisible(chromedp.CSS("#problem")))
	problem := eval(`document.getElementById("problem").innerText`)
	if !strings.Contains(problem, "did not accept this password") || strings.Contains(problem, "..") || strings.Contains(problem, ".:") {
		t.Errorf("refusal: %q", problem)
	}
	if eval(`document.getElementById("password").value`) != current {
		t.Error("the refusal lost what was typed")
	}
	if got := eval(`document.activeElement.id + " " + document.getElementById("password").getAttribute("aria-invalid")`); got != "password true" {
		t.Errorf("focus and aria-invalid after the refusal: %q", got)
	}
	c.State("refused")
	c.Do(chromedp.SendKeys(chromedp.CSS("#password"), "x"), chromedp.WaitNotPresent(chromedp.CSS("#problem")))
	if got := eval(`String(document.getElementById("password").getAttribute("aria-invalid"))`); got != "null" {
		t.Errorf("aria-invalid after typing again: %q", got)
	}
}
