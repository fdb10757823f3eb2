package flows

import (
	"context"
	"errors"
	"time"
)

// checkToken finds the flow a token names and checks the secret, purpose,
// lifetime and single use. It never changes anything.
func (e *Engine) checkToken(ctx context.Context, token string, now time.Time) (*Flow, error) {
	id, secret, err := ParseToken(token)
	if err != nil {
		return nil, err
	}
	f, err := e.store.Get(ctx, id)
	if errors.Is(err, ErrNotFound) {
		return nil, ErrInvalidToken
	}
	if err != nil {
		return nil, err
	}
	if !equalHash(f.TokenHash, hashToken(purposeOf(f.Kind), f.ID, secret)) {
		return nil, ErrInvalidToken
	}
	if !f.State.Known() {
		return f, ErrUnknownState
	}
	switch {
	case f.State == StateIssued && now.Before(f.ExpiresAt) && !f.Claim.Claimed():
		return f, ErrUnclaimed
	case f.State == StateIssued && now.Before(f.ExpiresAt):
		return f, nil
	case f.State == StateIssued || f.State == StateExpired:
		return f, ErrExpired
	default:
		return f, ErrTokenUsed
	}
}

// Open reads the flow behind a link for the landing page. It is what a GET
// does: it never redeems or burns the token (chat unfurlers and mail
// scanners fetch links first), and only appends a "link opened" event, or
// for a Client.Preview a "link previewed" one by the system, which nothing
// mistakes for the person.
func (e *Engine) Open(ctx context.Context, token string, c Client) (*Flow, error) {
	now := e.clock()
	f, err := e.checkToken(ctx, token, now)
	if err != nil {
		return f, err
	}
	typ, actor := EventLinkOpened, f.Subject.Chat.String()
	if c.Preview {
		typ, actor = EventLinkPreviewed, "system"
	} else if f.LinkSentAt.IsZero() {
		return e.openUnrecorded(WithRead(ctx, f), f.ID, c)
	}
	ev := e.event(f, happened{Type: typ, Actor: actor, Outcome: "ok"}, now)
	ev.SourceIP, ev.Device = c.IP, c.Device
	if err := e.store.Append(ctx, f.Subject.AccountID, []Event{ev}); err != nil {
		return nil, err
	}
	return f, nil
}

// LinkSentByOpening is the reason of a "link sent" event that the link's
// opening recorded: the person opened the link before the bot's record of
// its delivery (the chat API's answer) arrived, and a link cannot be
// opened before it was delivered.
const LinkSentByOpening = "delivery confirmed by the link's opening"

// openUnrecorded is Open for a link whose delivery is not recorded yet:
// the bot records it once the chat API has answered, and the person may be
// quicker. Opening proves delivery, so "link sent" is recorded first, in
// the same step as "link opened" (the flow's LinkSentAt with it), and the
// bot's own record, arriving later, finds it done and adds nothing: the
// record never says a link was opened before it was sent.
func (e *Engine) openUnrecorded(ctx context.Context, id string, c Client) (*Flow, error) {
	return e.mutate(ctx, id, "", func(f *Flow, now time.Time) ([]Event, error) {
		var evs []Event
		if f.LinkSentAt.IsZero() {
			f.LinkSentAt = now
			sent := e.event(f, happened{Type: EventLinkSent, Actor: "system", Outcome: "ok"}, now)
			sent.Reason = LinkSentByOpening
			evs = append(evs, sent)
		}
		ev := e.event(f, happened{Type: EventLinkOpened, Actor: f.Subject.Chat.String(), Outcome: "ok"}, now)
		ev.SourceIP, ev.Device = c.IP, c.Device
		return append(evs, ev), nil
	})
}

// Redeem consumes a link (the POST behind the landing page's Continue
// button). Exactly one of any number of concurrent redemptions succeeds; it
// binds the flow to that browser and returns the binding secret, which the
// web app keeps in a cookie and presents on every later step.
func (e *Engine) Redeem(ctx context.Context, token string, c Client) (*Flow, string, error) {
	binding, err := newSecret()
	if err != nil {
		return nil, "", err
	}
	for attempt := 0; attempt < 8; attempt++ {
		now := e.clock()
		f, err := e.checkToken(ctx, token, now)
		if err != nil {
			return f, "", err
		}
		from := f.State
		if err := move(f, "redeem", StateRedeemed); err != nil {
			return f, "", err
		}
		f.Binding = hashSecret(binding)
		// A caller verification keeps its VerifyTTL from the request: the
		// member is waiting on the line.
		if f.Kind != KindVerify {
			f.ExpiresAt = now.Add(e.cfg.FlowTTL)
		}
		ev := e.event(f, happened{Type: EventLinkRedeemed, Actor: f.Subject.Chat.String(), From: from, Outcome: "ok"}, now)
		ev.SourceIP, ev.Device = c.IP, c.Device
		err = e.store.Update(ctx, f, []Event{ev})
		if errors.Is(err, ErrConflict) {
			continue // re-read: the winner's state makes this ErrTokenUsed
		}
		if err != nil {
			return nil, "", err
		}
		return f, binding, nil
	}
	return nil, "", ErrConflict
}

// LinkSent records that the bot delivered the link (to a DM, an ephemeral
// message). where says how, never the link itself. The flow keeps the time
// (LinkSentAt); recording it again for the same flow does nothing, so a
// delivery repeated after a crash is recorded once. It starts from f (the
// flow Start returned) instead of reading it again; a change since then
// conflicts and is retried from a fresh read.
func (e *Engine) LinkSent(ctx context.Context, f *Flow, where string) error {
	_, err := e.mutate(WithRead(ctx, f), f.ID, "", func(f *Flow, now time.Time) ([]Event, error) {
		if !f.LinkSentAt.IsZero() {
			return nil, nil
		}
		f.LinkSentAt = now
		ev := e.event(f, happened{Type: EventLinkSent, Actor: "system", Outcome: "ok"}, now)
		ev.Reason = where
		return []Event{ev}, nil
	})
	return err
}

// ReissueLink replaces the link of a flow whose link was never recorded as
// delivered, for the delivery job to send in its place: only the token's
// hash is stored, so a lost link cannot be sent again, only replaced. It
// returns nil (and no error) when there is nothing to replace: the flow
// has moved on (opened, ended), its link was sent, or it has expired.
func (e *Engine) ReissueLink(ctx context.Context, flowID, reason string) (*Issued, error) {
	var token string
	f, err := e.mutate(ctx, flowID, "", func(f *Flow, now time.Time) ([]Event, error) {
		if f.State != StateIssued || !f.LinkSentAt.IsZero() || !now.Before(f.ExpiresAt) {
			return nil, nil
		}
		if f.Claim.Required {
			return nil, nil // only the recipient's claim mints its link
		}
		secret, err := newSecret()
		if err != nil {
			return nil, err
		}
		f.TokenHash = hashToken(purposeOf(f.Kind), f.ID, secret)
		token = makeToken(f.ID, secret)
		ev := e.event(f, happened{Type: EventLinkReissued, Actor: "system", Outcome: "ok"}, now)
		ev.Reason = reason
		return []Event{ev}, nil
	})
	if err != nil || token == "" {
		return nil, err
	}
	return &Issued{Flow: f, Token: token}, nil
}
