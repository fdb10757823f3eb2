package slack

import (
	"context"
	"errors"
	"fmt"
	"strings"

	slackgo "github.com/slack-go/slack"
)

// Member is an active human member of the workspace as users.list reports
// them, for identity onboarding (`resetbot identity export`): the id the
// directory's chat-id attribute must hold, and the profile email to match
// the directory by.
type Member struct {
	ID    string
	Name  string
	Email string
}

// ListMembers pages through users.list (slack-go follows the cursor and
// waits out 429s) and returns the workspace's active human members:
// deactivated members, bots, app users and Slackbot are left out, as no
// directory account belongs to them. Email is empty for a member whose
// profile shows none; reading emails needs the users:read.email scope.
func ListMembers(ctx context.Context, botToken, apiURL string, opts ...Option) ([]Member, error) {
	if botToken == "" {
		return nil, errors.New("slack users.list: bot token is empty")
	}
	cfg := Config{APIURL: apiURL}
	if err := validateAPIURL(apiURL); err != nil {
		return nil, err
	}
	o := newOptions(opts)
	api := slackgo.New(botToken, slackgo.OptionAPIURL(cfg.apiURL()), slackgo.OptionHTTPClient(o.Client))
	users, err := api.GetUsersContext(ctx, slackgo.GetUsersOptionLimit(200))
	if err != nil {
		return nil, apiError("users.list", err)
	}
	var out []Member
	for _, u := range users {
		if u.Deleted || u.IsBot || u.IsAppUser || u.ID == "USLACKBOT" {
			continue
		}
		name := u.Profile.RealName
		if name == "" {
			name = u.Name
		}
		out = append(out, Member{ID: u.ID, Name: name, Email: strings.TrimSpace(u.Profile.Email)})
	}
	return out, nil
}

// validateAPIURL checks an api_url override as Config.Validate does.
func validateAPIURL(u string) error {
	if u != "" && !strings.HasSuffix(u, "/") {
		return fmt.Errorf("slack api_url %q must end with /", u)
	}
	return nil
}
