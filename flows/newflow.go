package flows

import (
	"context"
	"time"

	"github.com/resetbot/resetbot/directory"
)

// newFlow is what every new flow starts as, whatever its kind: a fresh id
// and link secret (only the secret's hash is kept), the subject as the
// directory names it, issued now and expiring at expires. The caller adds
// what its kind needs (privilege, requester, target) and then issues it.
func newFlow(kind Kind, u *directory.User, chat ChatIdentity, now, expires time.Time) (*Flow, string, error) {
	id, err := NewFlowID(u.ID)
	if err != nil {
		return nil, "", err
	}
	secret, err := newSecret()
	if err != nil {
		return nil, "", err
	}
	return &Flow{
		ID:   id,
		Kind: kind,
		Subject: Subject{
			AccountID: u.ID, AccountName: u.AccountName, DisplayName: u.DisplayName,
			Department: u.Department, Chat: chat,
		},
		State:     StateIssued,
		IssuedAt:  now,
		ExpiresAt: expires,
		TokenHash: hashToken(purposeOf(kind), id, secret),
	}, secret, nil
}

// issue stores a new flow with its first events (superseding prev, the
// account's live flow of the kind, if any) and mints its link.
func (e *Engine) issue(ctx context.Context, f *Flow, secret, prev string, evs ...Event) (*Issued, error) {
	if err := e.store.Create(ctx, f, prev, evs); err != nil {
		return nil, err
	}
	return &Issued{Flow: f, Token: makeToken(f.ID, secret)}, nil
}
