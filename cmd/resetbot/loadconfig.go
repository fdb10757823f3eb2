package main

import (
	"github.com/resetbot/resetbot/cmd/resetbot/internal/config"
)

// loadConfig loads the file serve and demo run with: everything checked and
// secrets resolved from the real environment. On problems the error is a
// config.Problems listing all of them.
func loadConfig(path string) (*config.Config, error) {
	return config.Load(path, config.Options{})
}
