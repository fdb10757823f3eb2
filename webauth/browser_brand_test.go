package webauth

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/resetbot/resetbot/flows"
)

// exampleLogoSVG is the test company's logo: a mark and the name, as a
// company's header logo usually is.
const exampleLogoSVG = `<?xml version="1.0" encoding="UTF-8"?>
<svg xmlns="http://www.w3.org/2000/svg" width="200" height="40" viewBox="0 0 200 40">
<rect x="0" y="2" width="36" height="36" rx="8" fill="#0f766e"/>
<path d="M11 11h14v4h-9v3h8v4h-8v3h9v4H11z" fill="#ffffff"/>
<text x="44" y="27" font-family="Helvetica, Arial, sans-serif" font-size="19" font-weight="700" fill="#134e4a" textLength="150" lengthAdjust="spacingAndGlyphs">Example Corp</text>
</svg>
`

// newLogoSite is a site branded Example Corp with exampleLogoSVG as its
// logo and a landing.html of its own (the built-in one with a note on what
// the company's IT never asks for) in web.templates_dir.
func newLogoSite(t *testing.T) *site {
	t.Helper()
	dir := t.TempDir()
	logoFile := filepath.Join(dir, "logo.svg")
	if err := os.WriteFile(logoFile, []byte(exampleLogoSVG), 0o644); err != nil {
		t.Fatal(err)
	}
	builtin, err := templateFS.ReadFile("templates/landing.html")
	if err != nil {
		t.Fatal(err)
	}
	const note = `<p class="hint" id="company-note">Example Corp IT never asks for your password in chat or by phone.</p>`
	override := strings.Replace(string(builtin), `<form method="post"`, note+"\n"+`<form method="post"`, 1)
	tdir := templatesDir(t, map[string]string{"landing.html": override})

	return newSiteWith(t, rigOptions{dir: memoryDir(t), templatesDir: tdir,
		brand: Branding{CompanyName: "Example Corp", PrimaryColor: "#0f766e", LogoFile: logoFile}})
}

// TestBrowserLogoAndTemplates: web.branding.logo_file shows in the header
// of every page (loaded, with the company name as its alt text) and
// web.templates_dir's landing.html replaces the built-in one in Chromium,
// its button still working (the scripts find it by id); axe passes on the
// branded pages in both colour schemes.
func TestBrowserLogoAndTemplates(t *testing.T) {
	s := newLogoSite(t)
	c := newChrome(t, "logo")
	is := s.start(t, flows.KindReset, "jdoe")
	c.Do(chromedp.Navigate(s.base+"/r/"+is.Token), chromedp.WaitVisible(chromedp.CSS("#continue")))
	// The logo has loaded (an <img> that failed has no natural width) from
	// the app's own hashed path, and says the company's name.
	const probe = `(() => { const l = document.getElementById("logo"); if (!l) return "no logo";
		return [l.complete && l.naturalWidth > 0, l.alt, new URL(l.src).pathname, l.getBoundingClientRect().height > 0].join(" | "); })()`
	check := func(page string) {
		t.Helper()
		got, err := chromedp.Run(c.Ctx, chromedp.Evaluate[string](probe))
		if want := "true | Example Corp | " + s.srv.cfg.logo.path + " | true"; err != nil || got != want {
			t.Fatalf("%s: logo %q, %v; want %q", page, got, err, want)
		}
	}
	check("landing")
	if txt := c.Text(); !strings.Contains(txt, "Example Corp IT never asks for your password") {
		t.Fatalf("the overriding landing.html is not used:\n%s", txt)
	}
	if html, _ := chromedp.Run(c.Ctx, chromedp.Evaluate[string](`document.documentElement.outerHTML`)); strings.Contains(strings.ToLower(html), "resetbot") {
		t.Error("a branded page names resetbot")
	}
	c.State("landing")
	// jdoe has no passkey: Continue redeems the link and the (built-in)
	// verify page says so, under the same logo.
	c.Tap("#continue")
	c.Do(chromedp.WaitVisible(chromedp.CSS("#problem")))
	check("verify")
	c.State("verify")
}
