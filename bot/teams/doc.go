// Package teams connects resetbot's platform-neutral core (package bot) to
// Microsoft Teams through the Bot Framework REST protocol, and does nothing
// else. No maintained Go SDK exists, so the protocol is implemented here in
// small translation steps:
//
//	inbound:  verify (Bearer JWT, serviceurl claim, key endorsed for the channel) -> parse (activity) -> translate (bot.Request/Action) -> dedup (bot.Once) -> core
//	outbound: bot.Message -> render (Adaptive Card 1.5) -> connector REST API (client-credentials token)
//
// Wording, rules and flow decisions live in the core, so Teams behaves like
// Slack and Discord. Users talk to the bot in its personal chat; the
// helpdesk sees one channel conversation per flow, whose Approve/Deny
// buttons are Action.Execute (universal actions) so a click is answered
// privately in the invoke response instead of in the channel.
package teams
