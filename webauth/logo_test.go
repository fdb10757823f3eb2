package webauth

import (
	"bytes"
	"image"
	"image/color"
	"image/gif"
	"image/png"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/resetbot/resetbot/flows"
)

// testLogoPNG writes a small PNG in the company's colour and returns its
// path and bytes.
func testLogoPNG(t testing.TB, dir string, c color.RGBA) (string, []byte) {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 120, 32))
	for y := range 32 {
		for x := range 120 {
			img.Set(x, y, c)
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "logo.png")
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return path, buf.Bytes()
}

// validWebConfig is a configuration Validate accepts, for tests that
// change one key.
func validWebConfig() Config {
	key := bytes.Repeat([]byte{7}, 32)
	return Config{PublicBaseURL: "https://reset.example.test", CSRFKey: key, TOTPKey: key}
}

// TestLogoFileValidation: a logo that is missing, too large, of another
// type (whatever its name says) or without the company name as its text is
// refused by Validate, naming branding.logo_file and the file; PNG, JPEG
// and SVG by their content are accepted.
func TestLogoFileValidation(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, data []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	pngPath, pngData := testLogoPNG(t, dir, color.RGBA{15, 118, 110, 255})
	var gifBuf bytes.Buffer
	if err := gif.Encode(&gifBuf, image.NewPaletted(image.Rect(0, 0, 4, 4), color.Palette{color.Black}), nil); err != nil {
		t.Fatal(err)
	}
	svg := `<?xml version="1.0"?><!-- logo --><svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="10" height="10" fill="#0f766e"/></svg>`
	jpeg := append([]byte{0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10, 'J', 'F', 'I', 'F', 0}, make([]byte, 64)...)
	for _, tc := range []struct {
		name, file, company string
		want                []string // empty: accepted
	}{
		{"png", pngPath, "Example Corp", nil},
		{"svg", write("logo.svg", []byte(svg)), "Example Corp", nil},
		{"jpeg", write("logo.jpg", jpeg), "Example Corp", nil},
		{"missing", filepath.Join(dir, "nope.png"), "Example Corp", []string{"branding.logo_file: ", "nope.png"}},
		{"too large", write("big.png", append(pngData, make([]byte, maxLogoBytes)...)), "Example Corp", []string{"branding.logo_file: ", "big.png is larger than 256 KiB"}},
		{"gif", write("anim.png", gifBuf.Bytes()), "Example Corp", []string{"branding.logo_file: ", "anim.png is not a PNG, JPEG or SVG image"}},
		{"html named svg", write("page.svg", []byte(`<html><body><svg xmlns="http://www.w3.org/2000/svg"></svg></body></html>`)), "Example Corp", []string{"page.svg is not a PNG, JPEG or SVG image"}},
		{"svg without namespace", write("plain.svg", []byte(`<svg width="1"></svg>`)), "Example Corp", []string{"plain.svg is not a PNG"}},
		{"directory", dir, "Example Corp", []string{"branding.logo_file: "}},
		{"no company name", pngPath, "", []string{"branding.logo_file: logo_file needs company_name"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := validWebConfig()
			c.Branding = Branding{CompanyName: tc.company, LogoFile: tc.file}
			errs := c.Validate()
			if len(tc.want) == 0 {
				if len(errs) != 0 {
					t.Fatalf("Validate: %v", errs)
				}
				return
			}
			if len(errs) != 1 {
				t.Fatalf("Validate: %v; want one problem", errs)
			}
			for _, w := range tc.want {
				if !strings.Contains(errs[0].Error(), w) {
					t.Errorf("problem %q lacks %q", errs[0], w)
				}
			}
		})
	}
}

// TestLogoServed: the logo is in every page's header with the company name
// as its alt text, under a URL carrying its content hash, served with its
// sniffed type, a year's cache and a policy that lets an SVG run nothing;
// another file is another URL.
func TestLogoServed(t *testing.T) {
	dir := t.TempDir()
	file, data := testLogoPNG(t, dir, color.RGBA{15, 118, 110, 255})
	r := newRig(t, rigOptions{brand: Branding{CompanyName: `Example "Corp" <b>`, LogoFile: file}})
	b := newBrowser(t, r.server(t))
	is := r.start(t, flows.KindReset, "jdoe")
	st, _, body, _ := b.get("/r/" + is.Token)
	if st != http.StatusOK {
		t.Fatalf("landing: %d", st)
	}
	path := r.srv.cfg.logo.path
	want := `<img class="logo" id="logo" src="` + path + `" alt="Example &#34;Corp&#34; &lt;b&gt;">`
	if !strings.HasPrefix(path, "/static/logo-") || !strings.HasSuffix(path, ".png") || !strings.Contains(body, want) {
		t.Fatalf("landing lacks %s:\n%s", want, body)
	}
	st, _, got, hdr := b.get(path)
	if st != http.StatusOK || got != string(data) || hdr.Get("Content-Type") != "image/png" ||
		hdr.Get("Cache-Control") != "public, max-age=31536000, immutable" || !strings.Contains(hdr.Get("Content-Security-Policy"), "sandbox") ||
		hdr.Get("X-Content-Type-Options") != "nosniff" {
		t.Fatalf("logo: %d %q %v (%d bytes, want %d)", st, hdr.Get("Content-Type"), hdr, len(got), len(data))
	}
	if st, _, _, _ := b.get("/static/logo-0000000000000000.png"); st != http.StatusNotFound {
		t.Errorf("another hash: status %d, want 404", st)
	}

	other, _ := testLogoPNG(t, t.TempDir(), color.RGBA{200, 30, 30, 255})
	r2 := newRig(t, rigOptions{brand: Branding{CompanyName: "Example Corp", LogoFile: other}})
	if r2.srv.cfg.logo.path == path {
		t.Errorf("two logos share the URL %s", path)
	}

	plain := newRig(t, rigOptions{brand: Branding{CompanyName: "Example Corp"}})
	_, _, body, _ = newBrowser(t, plain.server(t)).get("/r/" + plain.start(t, flows.KindReset, "jdoe").Token)
	if strings.Contains(body, `class="logo"`) || !strings.Contains(body, "Example Corp · ") {
		t.Errorf("a page without a logo:\n%s", body)
	}
}
