package storetest

import (
	"reflect"
	"testing"
	"time"

	"github.com/resetbot/resetbot/flows"
)

// runLinkDelivery checks the engine's side of at-least-once link delivery
// on a backend: LinkSent is recorded once however often it is called, and
// ReissueLink replaces a link never recorded as delivered (the old token
// stops working, the new one opens the flow) and nothing else.
func runLinkDelivery(t *testing.T, newStore NewStore) {
	t.Run("LinkSentOnce", func(t *testing.T) {
		r := newRig(t, newStore)
		is := r.mustStart(t, flows.KindReset, "U0PWUSER")
		for i := 0; i < 2; i++ {
			if err := r.eng.LinkSent(ctx(t), is.Flow, "direct message"); err != nil {
				t.Fatal(err)
			}
		}
		f, err := r.eng.Get(ctx(t), is.Flow.ID)
		if err != nil || f.LinkSentAt.IsZero() {
			t.Fatalf("flow after LinkSent: %+v, %v", f, err)
		}
		want := []flows.EventType{flows.EventRequested, flows.EventLinkSent}
		if got := types(drain(t, r.st, "audit")); !reflect.DeepEqual(got, want) {
			t.Fatalf("audit trail = %v, want %v", got, want)
		}
		if again, err := r.eng.ReissueLink(ctx(t), f.ID, "test"); err != nil || again != nil {
			t.Fatalf("a delivered link was reissued: %+v, %v", again, err)
		}
	})
	t.Run("ReissueReplacesALostLink", func(t *testing.T) {
		r := newRig(t, newStore)
		is := r.mustStart(t, flows.KindReset, "U0PWUSER")
		re, err := r.eng.ReissueLink(ctx(t), is.Flow.ID, "the first link was not recorded as delivered")
		if err != nil || re == nil || re.Token == is.Token {
			t.Fatalf("ReissueLink = %+v, %v; want a new token", re, err)
		}
		if _, err := r.eng.Open(ctx(t), is.Token, flows.Client{}); err == nil {
			t.Error("the replaced token still opens the flow")
		}
		if _, err := r.eng.Open(ctx(t), re.Token, flows.Client{}); err != nil {
			t.Errorf("the new token does not open the flow: %v", err)
		}
		// The new link's delivery was not recorded yet: its opening
		// records it (OpenedBeforeDeliveryRecorded).
		want := []flows.EventType{flows.EventRequested, flows.EventLinkReissued, flows.EventLinkSent, flows.EventLinkOpened}
		if got := types(drain(t, r.st, "audit")); !reflect.DeepEqual(got, want) {
			t.Fatalf("audit trail = %v, want %v", got, want)
		}
	})
	t.Run("OpenedBeforeDeliveryRecorded", func(t *testing.T) {
		// The person opens the link before the bot's record of its
		// delivery (the chat API's answer) arrives: the record says sent,
		// then opened, never the reverse, and the late record adds nothing.
		r := newRig(t, newStore)
		is := r.mustStart(t, flows.KindReset, "U0PWUSER")
		if _, err := r.eng.Open(ctx(t), is.Token, flows.Client{}); err != nil {
			t.Fatal(err)
		}
		if err := r.eng.LinkSent(ctx(t), is.Flow, "direct message"); err != nil {
			t.Fatal(err)
		}
		if _, err := r.eng.Open(ctx(t), is.Token, flows.Client{}); err != nil {
			t.Fatal(err)
		}
		evs := drain(t, r.st, "audit")
		want := []flows.EventType{flows.EventRequested, flows.EventLinkSent, flows.EventLinkOpened, flows.EventLinkOpened}
		if got := types(evs); !reflect.DeepEqual(got, want) {
			t.Fatalf("audit trail = %v, want %v", got, want)
		}
		if evs[1].Reason != flows.LinkSentByOpening {
			t.Errorf("link.sent reason = %q, want %q", evs[1].Reason, flows.LinkSentByOpening)
		}
		f, err := r.eng.Get(ctx(t), is.Flow.ID)
		if err != nil || f.LinkSentAt.IsZero() {
			t.Fatalf("flow after the open: %+v, %v (want its delivery recorded)", f, err)
		}
		if again, err := r.eng.ReissueLink(ctx(t), f.ID, "test"); err != nil || again != nil {
			t.Fatalf("an opened link was reissued: %+v, %v", again, err)
		}
	})
	t.Run("PreviewIsNoDelivery", func(t *testing.T) {
		// An unfurler's fetch is not the person: it records no delivery.
		r := newRig(t, newStore)
		is := r.mustStart(t, flows.KindReset, "U0PWUSER")
		if _, err := r.eng.Open(ctx(t), is.Token, flows.Client{Preview: true}); err != nil {
			t.Fatal(err)
		}
		want := []flows.EventType{flows.EventRequested, flows.EventLinkPreviewed}
		if got := types(drain(t, r.st, "audit")); !reflect.DeepEqual(got, want) {
			t.Fatalf("audit trail = %v, want %v", got, want)
		}
	})
	t.Run("NoReissueOfAnExpiredLink", func(t *testing.T) {
		r := newRig(t, newStore)
		is := r.mustStart(t, flows.KindReset, "U0PWUSER")
		r.clock.Advance(11 * time.Minute)
		if re, err := r.eng.ReissueLink(ctx(t), is.Flow.ID, "test"); err != nil || re != nil {
			t.Fatalf("an expired link was reissued: %+v, %v", re, err)
		}
	})
}
