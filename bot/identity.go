package bot

import (
	"context"
	"errors"
	"fmt"

	"github.com/resetbot/resetbot/directory"
)

// IdentityRule says how one platform's users map to directory accounts.
type IdentityRule struct {
	By IdentityBy
}

// IdentityBy is a mapping method.
type IdentityBy string

// Mapping methods. Both rest on something the user cannot choose: the
// platform's immutable user id, or an email the platform verified. Display
// names are never used.
const (
	IdentityByChatID IdentityBy = "chat_id_attribute"
	IdentityByEmail  IdentityBy = "email"
)

// errNoIdentity: the user cannot be mapped (no verified email, say).
var errNoIdentity = errors.New("bot: chat identity cannot be mapped to an account")

// lookupFor builds the directory lookup for a chat user.
func (b *Bot) lookupFor(ctx context.Context, u User) (directory.Lookup, error) {
	rule := b.cfg.Identity[u.ID.Platform]
	switch rule.By {
	case IdentityByEmail:
		email := u.Email
		if email == "" {
			m, err := b.messenger(u.ID.Platform)
			if err != nil {
				return directory.Lookup{}, err
			}
			er, ok := m.(EmailResolver)
			if !ok {
				return directory.Lookup{}, fmt.Errorf("%w: platform %s gives no email", errNoIdentity, u.ID.Platform)
			}
			if email, err = er.UserEmail(ctx, u.ID.UserID); err != nil {
				return directory.Lookup{}, fmt.Errorf("bot: email of %s: %w", u.ID, err)
			}
		}
		if email == "" {
			return directory.Lookup{}, fmt.Errorf("%w: no verified email for %s", errNoIdentity, u.ID)
		}
		return directory.Lookup{Kind: directory.ByEmail, Value: email}, nil
	default:
		return directory.Lookup{Kind: directory.ByChatID, Platform: u.ID.Platform, Value: u.ID.UserID}, nil
	}
}

// accountOf resolves a chat user to their directory account.
func (b *Bot) accountOf(ctx context.Context, u User) (*directory.User, error) {
	l, err := b.lookupFor(ctx, u)
	if err != nil {
		return nil, err
	}
	return b.deps.Directory.Find(ctx, l)
}
