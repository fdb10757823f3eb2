// Package discordfake is an httptest fake of the parts of Discord's REST
// API (v10) that resetbot uses, as discordgo calls them: DM channels,
// channel messages (create, read, edit), threads started from a message,
// interaction callbacks, follow-up webhooks and command registration. It
// keeps state like Discord does (a thread has its message's id, a DM
// channel is reused, follow-ups need an answered interaction), records
// every call, checks message payloads against Discord's limits, and can
// answer with 429s carrying Discord's rate-limit headers.
//
// It also plays Discord's side of the interactions endpoint: it builds
// interactions, signs them with its own Ed25519 key exactly as Discord
// signs them, delivers them to the bot, and records the bot's response.
//
// A fake with real behaviour, not a mock: tests assert on what Discord
// would show, not on which calls were made in which order.
package discordfake
