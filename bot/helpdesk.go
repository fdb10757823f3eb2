package bot

import (
	"context"
	"errors"

	"github.com/resetbot/resetbot/directory"
)

// Helpdesk powers follow the directory. Every helpdesk action (approve,
// deny, "/reset for", "enroll-for", report) asks again, at the moment of
// the action, whether the member may act: the account is read fresh, and
// must be enabled, not locked out, and in the helpdesk group (nested
// membership, or the platform's helpdesk group). Nothing is cached, so a
// member disabled or removed from the group a second ago has no power left.

// Why a chat user holds no helpdesk power, for the audit trail (never for
// the user, who is told only that the action is for the helpdesk).
const (
	notHelpdeskNoAccount = "no directory account"
	notHelpdeskDisabled  = "account disabled in the directory"
	notHelpdeskLocked    = "account locked out in the directory"
	notHelpdeskMember    = "not a helpdesk member"
)

// helpdeskAccount returns the user's account if they may act as helpdesk
// now. Every helpdesk action also needs the account, so approvals can be
// checked against the requester and target by directory identity.
func (b *Bot) helpdeskAccount(ctx context.Context, u User) (*directory.User, bool, error) {
	acct, why, err := b.helpdeskCheck(ctx, u)
	return acct, err == nil && why == "", err
}

// helpdeskCheck is helpdeskAccount with the reason a user is refused ("" if
// they may act). The account is returned whenever one was found.
func (b *Bot) helpdeskCheck(ctx context.Context, u User) (*directory.User, string, error) {
	acct, err := b.accountOf(ctx, u)
	if err != nil {
		if errors.Is(err, directory.ErrNotFound) || errors.Is(err, errNoIdentity) {
			return nil, notHelpdeskNoAccount, nil
		}
		return nil, "", err
	}
	switch {
	case acct.Disabled:
		return acct, notHelpdeskDisabled, nil
	case acct.Locked:
		return acct, notHelpdeskLocked, nil
	case b.cfg.HelpdeskGroup != "" && acct.MemberOf(b.cfg.HelpdeskGroup):
		return acct, "", nil
	}
	if m, err := b.messenger(u.ID.Platform); err == nil {
		if gr, ok := m.(GroupResolver); ok {
			in, err := gr.InHelpdeskGroup(ctx, u.ID.UserID)
			if err != nil {
				return acct, "", err
			}
			if in {
				return acct, "", nil
			}
		}
	}
	return acct, notHelpdeskMember, nil
}
