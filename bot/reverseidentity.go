package bot

import (
	"context"
	"errors"
	"fmt"
	"sort"

	"github.com/resetbot/resetbot/directory"
	"github.com/resetbot/resetbot/flows"
)

// UserResolver is an optional Messenger capability: it finds the platform
// user whose verified email is email, so a platform mapped by email can be
// reached from a directory account (the reverse of identity mapping).
//
// Slack has it (users.lookupByEmail, users:read.email). Teams does not:
// finding a member by email needs Microsoft Graph (User.Read.All), which
// the Bot Framework connector alone cannot do, so a Teams installation
// mapped by email reaches nobody this way; map Teams by a chat-id attribute
// (the Entra object id) to reach people first. Discord gives bots no emails
// at all, so Discord is always mapped by a chat-id attribute.
type UserResolver interface {
	// UserIDByEmail returns the platform's immutable user id for the
	// verified email, or an error wrapping ErrNoChatUser when the platform
	// knows nobody with it (or the match cannot be trusted: a deactivated
	// member, a bot).
	UserIDByEmail(ctx context.Context, email string) (string, error)
}

// ErrNoChatUser: the platform has no (usable) user for an account. It is
// an answer, not a failure: callers count such accounts, never retry them.
var ErrNoChatUser = errors.New("bot: no chat user for the account")

// chatIdentitiesOf returns the chat identities of a directory account, one
// per registered platform that can name it, in platform order: the value
// of the platform's chat-id attribute (User.ChatIDs), or for a platform
// mapped by email the id its UserResolver finds for the account's email.
// Nothing is guessed: no display names, no partial matches; a platform
// without an answer is simply absent, so an empty result with a nil error
// means the account maps to nobody. The error joins the platforms that
// could not answer now (an API down, a rate limit): the caller may try
// again later, and still use the identities that were found.
func (b *Bot) chatIdentitiesOf(ctx context.Context, u *directory.User) ([]flows.ChatIdentity, error) {
	names := make([]string, 0, len(b.platforms))
	for name := range b.platforms {
		names = append(names, name)
	}
	sort.Strings(names)
	var ids []flows.ChatIdentity
	var errs []error
	for _, name := range names {
		id, err := b.chatIdentityOn(ctx, name, u)
		switch {
		case errors.Is(err, ErrNoChatUser):
		case err != nil:
			errs = append(errs, fmt.Errorf("bot: %s identity of %s: %w", name, u.ID, err))
		default:
			ids = append(ids, flows.ChatIdentity{Platform: name, UserID: id})
		}
	}
	return ids, errors.Join(errs...)
}

// chatIdentityOn is the account's user id on one platform, by the
// platform's identity rule.
func (b *Bot) chatIdentityOn(ctx context.Context, platform string, u *directory.User) (string, error) {
	switch b.cfg.Identity[platform].By {
	case IdentityByEmail:
		if u.Email == "" {
			return "", fmt.Errorf("%w: account has no email", ErrNoChatUser)
		}
		r, ok := b.platforms[platform].(UserResolver)
		if !ok {
			return "", fmt.Errorf("%w: %s cannot look users up by email", ErrNoChatUser, platform)
		}
		id, err := r.UserIDByEmail(ctx, u.Email)
		if err == nil && id == "" {
			err = fmt.Errorf("%w: empty id", ErrNoChatUser)
		}
		return id, err
	default:
		if id := u.ChatIDs[platform]; id != "" {
			return id, nil
		}
		return "", fmt.Errorf("%w: no %s chat id attribute value", ErrNoChatUser, platform)
	}
}
