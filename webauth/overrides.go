package webauth

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/resetbot/resetbot/internal/i18n"
)

// loadOverrides reads Config.TemplatesDir: every .html file in it must
// carry the name of a built-in template, which it replaces, and must parse
// with the layout and the catalogue's functions. Other files (a README, a
// backup) are ignored. An error names the file, so a broken template is a
// one-line start-up error.
func loadOverrides(dir string) (map[string]string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	known := templateNames()
	out := map[string]string{}
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || filepath.Ext(name) != ".html" {
			continue
		}
		path := filepath.Join(dir, name)
		if !slices.Contains(known, name) {
			return nil, fmt.Errorf("%s is not the name of a page template (one of %s)", path, strings.Join(known, ", "))
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return nil, err
		}
		out[name] = string(b)
	}
	if _, err := loadPages(i18n.For(""), out, false); err != nil {
		where, cause := dir, err
		var te *templateError
		if errors.As(err, &te) {
			cause = te.err
			if _, ok := out[te.file]; ok {
				where = filepath.Join(dir, te.file)
			} else {
				// A built-in page broken by an override it includes
				// (the layout).
				where = "the built-in " + te.file + " with " + filepath.Join(dir, "layout.html")
			}
		}
		return nil, fmt.Errorf("%s: %s", where, strings.ReplaceAll(cause.Error(), "\n", " "))
	}
	return out, nil
}
