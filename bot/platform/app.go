package platform

import (
	"context"
	"net/http"

	"github.com/resetbot/resetbot/bot"
)

// App is the one shape every chat platform package has, so the binary
// wires Slack, Teams and Discord with one loop instead of a block each:
//
//	app, err := slack.New(cfg, core, once, opts...) // likewise teams.New, discord.New
//	core.AddPlatform(slack.Platform, app.Messenger())
//	mux.Handle(app.Path(), app.Routes())            // when Routes is not nil
//	go app.Run(ctx)
//	defer app.Close()
//
// A platform that can check its credentials at startup (a wrong token
// failing before the first reset rather than at it) also implements
// Checker.
type App interface {
	// Messenger is what the core sends through on this platform.
	Messenger() bot.Messenger
	// Path is the URL path (a pattern of http.ServeMux; a prefix when it
	// ends in /) Routes serves on the public listener.
	Path() string
	// Routes serves the platform's webhooks, or is nil when the platform
	// reaches us another way (Slack's Socket Mode).
	Routes() http.Handler
	// Run does what the platform needs besides its routes (Slack's
	// Socket Mode connection) until ctx ends; it returns nil at once when
	// there is nothing to do.
	Run(ctx context.Context) error
	// Close waits for the work the platform does after answering a
	// request and releases what New acquired. Call it after the server
	// stopped.
	Close()
}

// Checker is an optional App capability: Check verifies the platform
// credentials with one cheap call, so a wrong token fails at startup.
type Checker interface {
	Check(ctx context.Context) error
}
