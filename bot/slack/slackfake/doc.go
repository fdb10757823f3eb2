// Package slackfake is an in-process fake of the parts of Slack resetbot
// talks to, for tests that cannot reach Slack. It speaks the real wire
// format (form bodies as slack-go sends them, {"ok":true,...} answers, 429
// with Retry-After) and records every call in order, so tests assert on
// what a helpdesk member would see: messages per channel, threads, edits,
// DMs and private responses. It also signs requests exactly as Slack signs
// them, so ingress tests exercise real verification.
//
// slack-go's own slacktest lacks conversations.open, chat.update and
// threads, and gives a parent and its reply the same timestamp; this fake
// exists because of that.
package slackfake
