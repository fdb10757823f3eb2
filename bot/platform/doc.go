// Package platform is the plumbing that every chat platform package
// (bot/slack, bot/teams, bot/discord) needs and that is not about any one
// platform: the shape every platform package has (App), the catalogue of
// public refusal texts, the recognition of redeliveries and the replay of
// their first answers (Deliveries), the runner for work that outlives a
// request, the pacer every outbound post waits in (margin below the
// platform's limit, approval requests first, Retry-After honoured), the
// Retry-After parser, the functional options every package takes, and
// scrubbing capability URLs out of errors.
//
// It exists so that each platform package only translates its wire format
// and does not carry its own copy of this code: a fix made here (a leak of
// a URL into a log, an unbounded cache) is made once for every platform.
// It holds no behaviour of the bot itself; that lives in package bot.
package platform
