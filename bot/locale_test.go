package bot_test

import (
	"context"
	"strings"
	"testing"

	"github.com/resetbot/resetbot/bot"
	"github.com/resetbot/resetbot/bot/bottest"
	"github.com/resetbot/resetbot/flows"
)

// TestRequesterReadsTheirLanguage: a German user's first reply and link
// message are German (the catalogue's chat.* entries, chosen by the
// request's locale), and the helpdesk thread stays in the configured
// language. Before the chat messages came from the catalogue, both were
// English whatever the user's language.
func TestRequesterReadsTheirLanguage(t *testing.T) {
	rig, ms := newCore(t, bottest.Options{})
	resp := &bottest.Responder{}
	from := bot.User{ID: bottest.Slack("U0PWUSER"), Locale: flows.Locale{Lang: "de", TimeZone: "Europe/Berlin"}}
	first := rig.Bot.HandleCommand(context.Background(), bot.Request{From: from, Respond: resp})
	if !strings.Contains(first.Summary, "Alles klar") {
		t.Errorf("first reply to a German user = %q, want German", first.Summary)
	}
	rig.Settle(t)
	dms := ms.DMs("U0PWUSER")
	if len(dms) != 1 {
		t.Fatalf("%d DMs, want the link", len(dms))
	}
	if dms[0].Title != "Passwort zurücksetzen" {
		t.Errorf("link message title = %q, want German", dms[0].Title)
	}
	if strings.Contains(dms[0].Note, "works once") {
		t.Errorf("link message note is English: %q", dms[0].Note)
	}
	threads := ms.Threads()
	if len(threads) != 1 {
		t.Fatalf("%d helpdesk threads, want 1", len(threads))
	}
	if replies := ms.Replies(threads[0]); len(replies) == 0 || !strings.Contains(replies[0], "Requested by") {
		t.Errorf("helpdesk thread not in the configured language: %q", replies)
	}
}
