package main

import (
	"context"
	"errors"
)

// runDemo runs resetbot against an in-memory directory, for trying it out.
func runDemo(ctx context.Context, args []string) error {
	return errors.New("demo: not wired yet")
}
