// Package discord connects resetbot's platform-neutral core (package bot)
// to Discord, and does nothing else: it verifies and translates inbound
// interactions (the /reset application command and button clicks) into
// bot.Request and bot.Action, renders bot.Message as a Discord message (an
// embed plus components), and implements bot.Messenger on Discord's REST
// API through discordgo. Wording, rules and flow decisions live in the
// core, so Slack, Teams and Discord behave the same.
//
//	inbound:  verify (Ed25519 + timestamp) -> parse (wire) -> translate (bot types) -> dedup (bot.Once) -> core
//	outbound: bot.Message -> render (embed + components) -> discordgo -> REST API
//
// Discord reaches the bot through an HTTP interactions endpoint
// (App.Routes), not the gateway: a reset bot needs no presence and no
// message content, and an HTTP endpoint scales like the rest of the web app.
//
// Answers: a command is answered in the HTTP response with an ephemeral
// message (type 4, flag 64) carrying the core's first reply, which the core
// produces without I/O. Should producing it ever take longer than the
// deferral deadline (2 s of Discord's 3), the response becomes a deferred
// ephemeral one (type 5) and the reply replaces it later. Later answers go
// out as ephemeral follow-ups on the interaction's webhook. A click is
// acknowledged with type 6 (deferred update) at once; the clicker is
// answered with ephemeral follow-ups.
//
// Rate limits: discordgo waits out a bucket it knows to be empty before
// sending (from the X-RateLimit headers of earlier answers); a 429 that
// still happens is not retried inside discordgo but surfaces as
// *bot.RetryAfterError, so the audit reader waits for Retry-After and
// delivers the event again.
package discord
