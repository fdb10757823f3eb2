package slack

import (
	"fmt"
	"net/http"
	"net/url"

	slackgo "github.com/slack-go/slack"

	"github.com/resetbot/resetbot/bot"
	"github.com/resetbot/resetbot/flows"
)

// commandRequest translates a slash command into the core's Request. It
// checks only what translation needs (a user id, a response URL, a trigger
// id for deduplication); what the text means is the core's business.
func commandRequest(cmd slackgo.SlashCommand, client *http.Client) (bot.Request, error) {
	if !userID.MatchString(cmd.UserID) {
		return bot.Request{}, fmt.Errorf("%w: user_id missing or not a user id", errBadCommand)
	}
	if cmd.TriggerID == "" {
		return bot.Request{}, fmt.Errorf("%w: trigger_id missing", errBadCommand)
	}
	if err := checkResponseURL(cmd.ResponseURL); err != nil {
		return bot.Request{}, fmt.Errorf("%w: %w", errBadCommand, err)
	}
	text, mentions := parseMentions(cmd.Text)
	return bot.Request{
		From:     bot.User{ID: flows.ChatIdentity{Platform: Platform, UserID: cmd.UserID}, Name: cmd.UserName},
		Text:     text,
		Mentions: mentions,
		Respond:  responseURL{client: client, url: cmd.ResponseURL},
	}, nil
}

// checkResponseURL accepts an absolute http(s) URL. The request carrying
// it is signed, so the host is Slack's choice; plain http is allowed only
// because test fakes and local proxies speak it.
func checkResponseURL(raw string) error {
	u, err := url.Parse(raw)
	switch {
	case raw == "":
		return fmt.Errorf("response_url missing")
	case err != nil:
		return fmt.Errorf("response_url unparsable")
	case u.Scheme != "https" && u.Scheme != "http", u.Host == "", u.User != nil:
		return fmt.Errorf("response_url is not an absolute http(s) URL")
	}
	return nil
}
