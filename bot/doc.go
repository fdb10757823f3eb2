// Package bot is the chat-platform-agnostic core of resetbot: it turns
// commands (/reset, unlock, enroll, status, help, and the helpdesk's for,
// enroll-for and report) into flows, renders every audit event of a flow
// into one helpdesk thread, handles approval clicks, raises alerts and tells
// users what changed. Platform packages (bot/slack, bot/teams, bot/discord)
// only translate wire formats into Request, Action and Message and back; the
// wording, the rules and the order of things live here, once.
package bot
