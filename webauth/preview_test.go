package webauth

import (
	"net/http"
	"testing"

	"github.com/resetbot/resetbot/flows"
	"github.com/resetbot/resetbot/webauth/webauthtest"
)

// TestLinkPreviewIsNotTheUsersOpen: a chat unfurler or mail scanner that
// fetches the link is recorded as link.previewed by the system, with who
// fetched it, and never as link.opened by the person; the person's own
// visit afterwards is the only link.opened, and the link still works
// (#11).
func TestLinkPreviewIsNotTheUsersOpen(t *testing.T) {
	previews := []struct{ ua, device string }{
		{"Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)", "link preview by Slack"},
		{"Mozilla/5.0 (Windows NT 6.1; WOW64) SkypeUriPreview Preview/0.5 skype-url-preview@microsoft.com", "link preview by Teams"},
		{"Mozilla/5.0 (compatible; Discordbot/2.0; +https://discordapp.com)", "link preview by Discord"},
		{"Mozilla/5.0 (compatible; Mimecast URL Protect)", "link preview by a mail scanner (Mimecast)"},
	}
	for _, p := range previews {
		t.Run(p.device, func(t *testing.T) {
			r := newRig(t, rigOptions{})
			ts := r.server(t)
			is := r.start(t, flows.KindReset, "jdoe")
			if st, _, _, _ := newBrowser(t, ts).get("/r/"+is.Token, "User-Agent", p.ua); st != http.StatusOK {
				t.Fatalf("preview GET: status %d", st)
			}
			var previewed, opened int
			for _, ev := range r.events(t, is.Flow.ID) {
				switch ev.Type {
				case flows.EventLinkPreviewed:
					previewed++
					if ev.Device != p.device || ev.Actor != "system" {
						t.Errorf("preview event: device %q actor %q, want %q by system", ev.Device, ev.Actor, p.device)
					}
				case flows.EventLinkOpened:
					opened++
				}
			}
			if previewed != 1 || opened != 0 {
				t.Fatalf("after a preview: %d link.previewed, %d link.opened; want 1 and 0", previewed, opened)
			}

			person := newBrowser(t, ts)
			if st, _, _, _ := person.get("/r/"+is.Token, "User-Agent", webauthtest.PhoneUA); st != http.StatusOK {
				t.Fatalf("person's GET: status %d", st)
			}
			// The rig's flow has no delivery recorded: the person's
			// opening records it first (the preview did not).
			evs := r.events(t, is.Flow.ID)
			if len(evs) != 2 || evs[0].Type != flows.EventLinkSent || evs[0].Reason != flows.LinkSentByOpening ||
				evs[1].Type != flows.EventLinkOpened || evs[1].Actor != is.Flow.Subject.Chat.String() {
				t.Fatalf("after the person's visit: %+v; want link.sent confirmed by the opening, then one link.opened by the person", evs)
			}
			if st, loc := newBrowser(t, ts).redeem(is.Token); st != http.StatusSeeOther || loc != "/f/"+is.Flow.ID+"/verify" {
				t.Fatalf("redeem after the preview: %d %q", st, loc)
			}
		})
	}
}
