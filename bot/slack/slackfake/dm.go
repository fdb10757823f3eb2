package slackfake

import "strings"

// The bot's DMs as Slack keeps them: one IM channel (D...) per member,
// opened by conversations.open or by the first chat.postMessage whose
// channel is the member's user id. Slack posts such a message in the
// app's DM with the member and answers with the IM's id as "channel",
// which is the wire format this file speaks.

// DMRefusal is how the fake refuses one member's DM: Post is the error
// chat.postMessage answers in it (by user id or IM id), Open the error
// conversations.open answers for the member; "" lets that call through.
// A deactivated member is {Post: "channel_not_found", Open:
// "user_disabled"}, a bot user {Post: "channel_not_found", Open:
// "cannot_dm_bot"}, a DM the workspace forbids {Post: "restricted_action"}.
type DMRefusal struct {
	Post, Open string
}

// RefuseDM makes the member's DM refuse calls as r says, as Slack does for
// a deactivated member, a bot, or an app a member may not be messaged by.
// A zero r lets every call through again.
func (s *Server) RefuseDM(user string, r DMRefusal) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.refused == nil {
		s.refused = map[string]DMRefusal{}
	}
	if r == (DMRefusal{}) {
		delete(s.refused, user)
		return
	}
	s.refused[user] = r
}

// NeedsOpen makes a post with the member's user id as channel answer
// channel_not_found while no IM with them is open, as Slack answers where
// it does not open the app's DM on a post: only conversations.open opens
// it, after which posts by user id and by IM id both arrive.
func (s *Server) NeedsOpen(users ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.needsOpen == nil {
		s.needsOpen = map[string]bool{}
	}
	for _, u := range users {
		s.needsOpen[u] = true
	}
}

// isUserID reports whether a channel argument is a member's id (U... or
// W... for an Enterprise Grid member), which chat.postMessage accepts
// as "the app's DM with them".
func isUserID(ch string) bool {
	return len(ch) > 1 && (ch[0] == 'U' || ch[0] == 'W') && strings.ToUpper(ch) == ch
}

// openIMLocked opens the IM with user and returns its id.
func (s *Server) openIMLocked(user string) string {
	im := "D" + strings.TrimLeft(user, "UW")
	s.ims[user] = im
	s.imUser[im] = user
	return im
}

// dmTargetLocked resolves a chat.postMessage's channel: a user id becomes
// the IM with them (opened if it is not and Slack would open it), so
// c.Channel is the IM; an IM id stays. c.User is the DM's member either
// way. It answers the refusal code of a refused DM, or "" to go on.
func (s *Server) dmTargetLocked(c *Call) string {
	if isUserID(c.Channel) && !s.channels[c.Channel] {
		user := c.Channel
		c.User = user
		if code := s.refused[user].Post; code != "" {
			return code
		}
		im, ok := s.ims[user]
		if !ok {
			if s.needsOpen[user] {
				return "channel_not_found"
			}
			im = s.openIMLocked(user)
		}
		c.Channel = im
		return ""
	}
	if user := s.imUser[c.Channel]; user != "" {
		c.User = user
		return s.refused[user].Post
	}
	return ""
}
