// Package slack connects resetbot's platform-neutral core (package bot) to
// Slack, and does nothing else: it verifies and translates inbound slash
// commands and button clicks into bot.Request and bot.Action, renders
// bot.Message as Block Kit, and implements bot.Messenger on the Slack Web
// API. Wording, rules and flow decisions live in the core, so Teams and
// Discord behave the same; every function here is one translation step,
// kept small so the sister packages can follow the same seams:
//
//	inbound:  verify (signature) -> parse (wire) -> translate (bot types) -> dedup (bot.Once) -> core
//	outbound: bot.Message -> render (Block Kit) -> platform.Pacer (per channel) -> Web API
//
// Two ingress modes exist because companies differ: HTTP endpoints
// (App.Routes) for those who can expose one, Socket Mode (App.RunSocketMode)
// for those who cannot. Both feed the same translation functions.
package slack
