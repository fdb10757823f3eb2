package flows

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// A helpdesk-pushed enrollment link is bound to the recipient's chat
// identity (#8 §4): the bot's direct message carries no usable URL, only a
// "This is me" button. The platform signs the click and names who made
// it; the flow is claimed here by that identity, and only then is a
// token minted for the clicker. Whoever reads the direct message (a
// shared screen, a forwarded message, a stolen notification preview) has
// nothing to redeem, and a token from before the claim opens nothing.

// Claim records who confirmed a claim-bound link, and when.
type Claim struct {
	// Required: the flow's link works only after its subject's chat
	// identity claimed it.
	Required bool         `json:"required,omitempty"`
	By       ChatIdentity `json:"by,omitzero"`
	At       time.Time    `json:"at,omitzero"`
}

// Claimed reports whether a claim-bound flow was claimed (always true for
// flows that need no claim).
func (c Claim) Claimed() bool { return !c.Required || !c.At.IsZero() }

// Claim errors.
var (
	// ErrUnclaimed: the link is bound to the recipient's chat identity and
	// was not claimed there yet. Nothing was consumed.
	ErrUnclaimed = errors.New("flows: link not confirmed in chat yet")
	// ErrNotSubject: someone other than the flow's subject tried to claim
	// its link. The attempt is audited.
	ErrNotSubject = errors.New("flows: only the recipient can claim this link")
	// ErrAlreadyClaimed: the link was claimed already (a second click).
	ErrAlreadyClaimed = errors.New("flows: link already claimed")
)

// The claim events.
const (
	// EventLinkClaimed: the subject confirmed in chat that the pushed link
	// is theirs; a fresh token was minted and sent to them privately.
	EventLinkClaimed EventType = "link.claimed"
	// EventClaimRefused: someone else clicked the claim button (the
	// helpdesk member who pushed it, a forwarded message's reader).
	EventClaimRefused EventType = "link.claim_refused"
)

// Claim binds a claim-bound flow to the clicker, in one compare-and-swap:
// the flow must be live and unclaimed, and by must be its subject's chat
// identity (the bot core checks that too; this is the engine's own
// guard). A new token replaces the one minted at Start, which nobody was
// ever shown, and is returned for the clicker alone. A refused click is
// audited as EventClaimRefused.
func (e *Engine) Claim(ctx context.Context, flowID string, by ChatIdentity) (*Issued, error) {
	secret, err := newSecret()
	if err != nil {
		return nil, err
	}
	f, err := e.mutate(ctx, flowID, "", func(f *Flow, now time.Time) ([]Event, error) {
		switch {
		case !f.Claim.Required:
			return nil, ErrAlreadyClaimed
		case by != f.Subject.Chat:
			return nil, ErrNotSubject
		case f.State != StateIssued && !f.State.Terminal():
			return nil, ErrAlreadyClaimed
		case f.State.Terminal():
			return nil, ErrTokenUsed
		case !now.Before(f.ExpiresAt):
			return nil, ErrExpired
		case !f.Claim.At.IsZero():
			return nil, ErrAlreadyClaimed
		}
		f.Claim.By, f.Claim.At = by, now
		f.TokenHash = hashToken(purposeOf(f.Kind), f.ID, secret)
		return []Event{e.event(f, happened{Type: EventLinkClaimed, Actor: by.String(), Outcome: "ok"}, now)}, nil
	})
	if errors.Is(err, ErrNotSubject) {
		return nil, errors.Join(err, e.RefusedClaim(ctx, f, by))
	}
	if err != nil {
		return nil, err
	}
	return &Issued{Flow: f, Token: makeToken(f.ID, secret)}, nil
}

// RefusedClaim audits a claim click by someone who is not the flow's
// subject (the bot core refuses those before claiming); the event says
// how often that user tried on this flow. Nothing about the flow changes.
func (e *Engine) RefusedClaim(ctx context.Context, f *Flow, by ChatIdentity) error {
	now := e.clock()
	n, err := e.store.Hit(ctx, "claim:"+f.ID+":"+by.String(), clickWindow, now)
	if err != nil {
		return err
	}
	ev := e.event(f, happened{Type: EventClaimRefused, Actor: by.String(), Outcome: "refused"}, now)
	ev.To = ""
	ev.Reason = "set-up link claimed by " + by.String() + ", not its recipient"
	if by == f.RequestedBy {
		ev.Reason = "set-up link claimed by the helpdesk member who sent it, not its recipient"
	}
	if n > 1 {
		ev.Reason += fmt.Sprintf(" (refused claim %d by this user)", n)
	}
	return e.store.Append(ctx, f.Subject.AccountID, []Event{ev})
}
