package webauthtest

import (
	"net/url"
	"slices"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/resetbot/resetbot/internal/testenv"
)

// ids lists the rule ids of violations.
func ids(vs []axeViolation) []string {
	var out []string
	for _, v := range vs {
		out = append(out, v.ID)
	}
	return out
}

// TestAxeFindsViolations: the check the browser tests rely on does fail.
// A page with an image without alt text fails in both schemes; text that
// is readable in light mode but not in dark mode fails only in the dark
// scheme, so the emulation of prefers-color-scheme really switches; a
// clean page passes; and a rule turned off for one check is not reported.
func TestAxeFindsViolations(t *testing.T) {
	testenv.RequireEnv(t, AxeEnv)
	script, err := axeScript()
	if err != nil {
		t.Fatal(err)
	}
	b := NewBrowser(t, "", "")
	const head = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>t</title><style>
body { background: #fff; color: #111 }
@media (prefers-color-scheme: dark) { body { background: #111 } .dim { color: #222 } }
</style></head><body><main><h1>Check</h1>`
	open := func(body string) {
		t.Helper()
		b.Do(chromedp.Navigate("data:text/html," + url.PathEscape(head+body+"</main></body></html>")))
	}
	run := func(scheme string, disabled ...string) []string {
		t.Helper()
		vs, err := b.axeViolations(scheme, script, disabled)
		if err != nil {
			t.Fatal(err)
		}
		return ids(vs)
	}

	open(`<p>Fine text.</p>`)
	for _, scheme := range []string{"light", "dark"} {
		if got := run(scheme); len(got) != 0 {
			t.Errorf("clean page, %s: %v", scheme, got)
		}
	}

	open(`<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=">`)
	for _, scheme := range []string{"light", "dark"} {
		if got := run(scheme); !slices.Contains(got, "image-alt") {
			t.Errorf("image without alt, %s: %v, want image-alt", scheme, got)
		}
	}
	if got := run("light", "image-alt"); slices.Contains(got, "image-alt") {
		t.Errorf("image-alt reported while disabled: %v", got)
	}

	open(`<p class="dim">Dim in the dark.</p>`)
	if got := run("light"); len(got) != 0 {
		t.Errorf("dark-only contrast problem, light: %v", got)
	}
	if got := run("dark"); !slices.Contains(got, "color-contrast") {
		t.Errorf("dark-only contrast problem, dark: %v, want color-contrast", got)
	}
}
