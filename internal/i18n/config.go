package i18n

import (
	"fmt"
	"strings"
	"time"
)

// Config is the configured fallback locale: the helpdesk channel's
// language, and the language and time zone of a person whose platform
// names none. The config file's helpdesk section is handed over as this, so
// `config check` and `serve` judge it with the same Validate.
type Config struct {
	// Language is a supported tag ("en", "de", "fr", "es").
	Language string
	// TimeZone is an IANA zone ("Europe/Berlin").
	TimeZone string
}

// Validate names each problem as "key: message" with the file's key names.
func (c Config) Validate() []error {
	var errs []error
	if !Valid(c.Language) {
		names := make([]string, len(supported))
		for i, t := range supported {
			names[i] = t.String()
		}
		errs = append(errs, fmt.Errorf("language: %q is not one of the catalogue's languages (%s)", c.Language, strings.Join(names, ", ")))
	}
	if _, err := time.LoadLocation(c.TimeZone); err != nil {
		errs = append(errs, fmt.Errorf("timezone: %q is not an IANA time zone like Europe/Berlin", c.TimeZone))
	}
	return errs
}

// Location is the configured time zone; UTC when it does not load (Validate
// has said so already).
func (c Config) Location() *time.Location {
	loc, err := time.LoadLocation(c.TimeZone)
	if err != nil {
		return time.UTC
	}
	return loc
}
