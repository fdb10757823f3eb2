package main

import (
	"fmt"
	"log/slog"

	"github.com/redis/go-redis/v9"

	"github.com/resetbot/resetbot/cmd/resetbot/internal/config"
	"github.com/resetbot/resetbot/credentials"
	"github.com/resetbot/resetbot/directory"
	"github.com/resetbot/resetbot/flows"
	"github.com/resetbot/resetbot/webauth"
	"github.com/resetbot/resetbot/webauth/blocklist"
	"github.com/resetbot/resetbot/webauth/password"
)

// newWeb builds the web app behind the links.
func newWeb(c *config.Config, engine *flows.Engine, dir directory.Directory, creds credentials.Store, rdb redis.UniversalClient, log *slog.Logger) (*webauth.Server, error) {
	checker := blocklist.Default()
	if c.Web.BlocklistFile != "" {
		f, err := blocklist.Load(c.Web.BlocklistFile)
		if err != nil {
			return nil, fmt.Errorf("web.blocklist_file: %w", err)
		}
		checker = blocklist.Combine(checker, f)
	}
	deps := webauth.Deps{
		Engine: engine, Directory: dir, Credentials: creds, Redis: rdb, Logger: log,
		Passwords: password.Options{
			MinLength:   c.Web.MinPasswordLength,
			MinStrength: c.Web.MinStrength,
			Blocklist:   checker,
		},
	}
	if c.Risk.GeoIPDB != "" {
		// Read in place for the process's life: one small file, no
		// request leaves the host to learn a country.
		db, err := webauth.OpenCountryDB(c.Risk.GeoIPDB)
		if err != nil {
			return nil, fmt.Errorf("risk.geoip_db: %w", err)
		}
		deps.Countries = db
	}
	return webauth.New(c.WebApp(), deps)
}
