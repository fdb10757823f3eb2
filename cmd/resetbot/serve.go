package main

import (
	"context"
	"errors"
)

// runServe runs the bot: chat webhooks, the web app behind reset links, and
// the audit stream consumers, until ctx is cancelled.
func runServe(ctx context.Context, args []string) error {
	return errors.New("serve: not wired yet")
}
