package webauth

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"unicode/utf8"
)

// maxLogoBytes caps Branding.LogoFile: a header logo is a few kilobytes,
// and the file is held in memory and sent with every first page view.
const maxLogoBytes = 256 << 10

// logoCSP replaces the pages' policy on the logo's own response: an SVG
// opened directly is a document of this origin, so it may run nothing,
// load nothing and is sandboxed (as an <img> it could not anyway).
const logoCSP = "default-src 'none'; style-src 'unsafe-inline'; sandbox"

// logo is the company's logo, read once at start-up and served from memory
// under a name that carries its content hash, so it can be cached for a
// year and a new file is a new URL.
type logo struct {
	data        []byte
	contentType string
	// path is the URL path, /static/logo-<hash>.<ext>.
	path string
}

// loadLogo reads and checks a logo file: at most maxLogoBytes, and by its
// content (never its name) a PNG, a JPEG or an SVG.
func loadLogo(file string) (*logo, error) {
	f, err := os.Open(file)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxLogoBytes+1))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	if len(data) > maxLogoBytes {
		return nil, fmt.Errorf("%s is larger than %d KiB", file, maxLogoBytes>>10)
	}
	ctype, ext := sniffLogo(data)
	if ctype == "" {
		return nil, fmt.Errorf("%s is not a PNG, JPEG or SVG image", file)
	}
	sum := sha256.Sum256(data)
	return &logo{data: data, contentType: ctype, path: "/static/logo-" + hex.EncodeToString(sum[:8]) + "." + ext}, nil
}

// sniffLogo names the image type of data by its content, "" when it is
// none of those a logo may be.
func sniffLogo(data []byte) (contentType, ext string) {
	switch http.DetectContentType(data) {
	case "image/png":
		return "image/png", "png"
	case "image/jpeg":
		return "image/jpeg", "jpg"
	}
	if isSVG(data) {
		return "image/svg+xml", "svg"
	}
	return "", ""
}

// isSVG reports whether data is an XML document whose root element is an
// SVG element (after any prolog, comments and doctype).
func isSVG(data []byte) bool {
	if !utf8.Valid(data) {
		return false
	}
	d := xml.NewDecoder(bytes.NewReader(data))
	for {
		tok, err := d.Token()
		if err != nil {
			return false
		}
		switch t := tok.(type) {
		case xml.StartElement:
			return t.Name.Local == "svg" && t.Name.Space == "http://www.w3.org/2000/svg"
		case xml.CharData:
			if len(bytes.TrimSpace(t)) > 0 {
				return false
			}
		}
	}
}

// errNoLogoName: Branding.LogoFile needs Branding.CompanyName, the logo's alt
// text (the logo then stands for the name in the page header).
var errNoLogoName = errors.New("logo_file needs company_name, the logo's text for screen readers")

// ServeHTTP serves the logo with a year's cache: its URL changes with its
// content.
func (l *logo) ServeHTTP(w http.ResponseWriter, _ *http.Request) {
	h := w.Header()
	h.Set("Content-Type", l.contentType)
	h.Set("Cache-Control", "public, max-age=31536000, immutable")
	h.Set("Content-Security-Policy", logoCSP)
	_, _ = w.Write(l.data)
}
