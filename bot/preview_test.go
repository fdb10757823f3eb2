package bot

import (
	"strings"
	"testing"

	"github.com/resetbot/resetbot/flows"
	"github.com/resetbot/resetbot/webauth"
)

// TestLinkPreviewWords: a link fetched by an unfurler or a mail scanner
// (the web app records it as link.previewed, its device
// webauth.PreviewPrefix + who) reads in the helpdesk thread as a preview
// by that service, not as the user opening the link; so does a
// link.opened recorded that way before previews had their own type (#11).
func TestLinkPreviewWords(t *testing.T) {
	b := &Bot{}
	for _, typ := range []flows.EventType{flows.EventLinkPreviewed, flows.EventLinkOpened} {
		text, _ := b.eventWords(flows.Event{Type: typ, Device: webauth.PreviewPrefix + "Slack", SourceIP: "192.0.2.7"})
		if text != "Link preview by Slack (not the user; the link still works)" {
			t.Errorf("preview as %s: %q", typ, text)
		}
	}
	text, _ := b.eventWords(flows.Event{Type: flows.EventLinkOpened, Device: "Chrome on Android", SourceIP: "192.0.2.8"})
	if !strings.HasPrefix(text, "Link opened") || !strings.Contains(text, "Chrome on Android") {
		t.Errorf("a person opening the link: %q", text)
	}
}
