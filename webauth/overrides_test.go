package webauth

import (
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/resetbot/resetbot/flows"
)

// templatesDir writes files into a fresh directory.
func templatesDir(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, src := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// TestTemplatesDirOverrides: a page template in web.templates_dir replaces
// the built-in one of that file name, with the same data, catalogue
// functions and escaping; the pages it does not name stay built-in, and
// the security headers are unchanged.
func TestTemplatesDirOverrides(t *testing.T) {
	dir := templatesDir(t, map[string]string{
		"landing.html": `{{define "content"}}<h1 id="custom">{{t "web.brand_suffix"}}: {{.Data.Account}}</h1>` +
			`<p id="company">{{.Brand.CompanyName}}</p><form method="post" action="{{.Data.Action}}"><input type="hidden" name="csrf" value="{{.CSRF}}">` +
			`<button id="continue">Go</button></form>{{end}}`,
		"README.txt": "not a template",
	})
	c := validWebConfig()
	c.TemplatesDir = dir
	if errs := c.Validate(); len(errs) != 0 {
		t.Fatalf("Validate: %v", errs)
	}
	r := newRig(t, rigOptions{templatesDir: dir, brand: Branding{CompanyName: `<script>alert(1)</script>`}})
	b := newBrowser(t, r.server(t))
	is := r.start(t, flows.KindReset, "jdoe")
	st, _, body, hdr := b.get("/r/" + is.Token)
	if st != http.StatusOK || !strings.Contains(body, `<h1 id="custom">Password reset: jdoe</h1>`) {
		t.Fatalf("landing override not used: %d\n%s", st, body)
	}
	if strings.Contains(body, "<script>alert(1)</script>") || !strings.Contains(body, `<p id="company">&lt;script&gt;alert(1)&lt;/script&gt;</p>`) {
		t.Errorf("the override's output is not escaped:\n%s", body)
	}
	if hdr.Get("Content-Security-Policy") != contentSecurityPolicy {
		t.Errorf("CSP %q", hdr.Get("Content-Security-Policy"))
	}
	// The redeem works from the overriding form: same data, same CSRF.
	if st, loc := b.redeem(is.Token); st != http.StatusSeeOther || !strings.HasSuffix(loc, "/verify") {
		t.Fatalf("redeem from the override: %d %q", st, loc)
	}
	st, _, body, _ = b.get("/f/" + is.Flow.ID + "/verify")
	if st != http.StatusOK || strings.Contains(body, `id="custom"`) || !strings.Contains(body, "<h1>Confirm it is you</h1>") {
		t.Errorf("the verify page (not overridden): %d\n%s", st, body)
	}
}

// TestTemplatesDirRefused: a broken template stops the start with one line
// naming templates_dir and the file: a parse error, a name that is no
// page's, a page without "content", a layout without "layout", a template
// the escaper refuses, a missing directory.
func TestTemplatesDirRefused(t *testing.T) {
	for _, tc := range []struct {
		name  string
		files map[string]string
		want  string
	}{
		{"parse error", map[string]string{"done.html": `{{define "content"}}{{if}}{{end}}`}, `done.html: template: done.html:1: missing value for if`},
		{"unknown name", map[string]string{"landng.html": `{{define "content"}}{{end}}`}, `landng.html is not the name of a page template (one of approve.html,`},
		{"no content", map[string]string{"verify.html": `<p>hello</p>`}, `verify.html: defines no "content" template`},
		{"no layout", map[string]string{"layout.html": `{{define "page"}}{{end}}`}, `layout.html: defines no "layout" template`},
		{"escaper", map[string]string{"error.html": `{{define "content"}}<a href="{{.Title}}{{end}}`}, `error.html: html/template:`},
		{"layout breaks a built-in page", map[string]string{"layout.html": `{{define "layout"}}<p title="{{template "content" .}}"{{end}}`}, `the built-in approve.html with `},
		{"unknown function", map[string]string{"done.html": `{{define "content"}}{{brand}}{{end}}`}, `done.html: template: done.html:1: function "brand" not defined`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := templatesDir(t, tc.files)
			c := validWebConfig()
			c.TemplatesDir = dir
			errs := c.Validate()
			if len(errs) != 1 {
				t.Fatalf("Validate: %v; want one problem", errs)
			}
			msg := errs[0].Error()
			if !strings.HasPrefix(msg, "templates_dir: "+dir+string(filepath.Separator)) && !strings.HasPrefix(msg, "templates_dir: the built-in") {
				t.Errorf("problem %q does not start with the key and the directory", msg)
			}
			if !strings.Contains(msg, tc.want) || strings.Contains(msg, "\n") {
				t.Errorf("problem %q; want one line with %q", msg, tc.want)
			}
			if _, err := New(c, Deps{}); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("New: %v", err)
			}
		})
	}
	c := validWebConfig()
	c.TemplatesDir = filepath.Join(t.TempDir(), "missing")
	if errs := c.Validate(); len(errs) != 1 || !strings.HasPrefix(errs[0].Error(), "templates_dir: open ") {
		t.Errorf("missing directory: %v", errs)
	}
}
