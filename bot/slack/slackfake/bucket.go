package slackfake

import "time"

// Limit is a rate limit as Slack describes its own: on average one call
// per Every, with bursts of up to Burst calls at once ("short bursts >1
// allowed"). The fake enforces it as a token bucket that holds Burst
// tokens and gains one every Every; a call finding no token is answered
// 429 with a Retry-After of the time until the next one.
type Limit struct {
	Every time.Duration
	Burst int
}

// Slack's documented limits, with the burst allowances the fake grants
// (Slack does not publish its own; small ones keep a client honest).
var (
	// PostLimit is chat.postMessage's "special" tier: one message per
	// second per channel, short bursts allowed.
	PostLimit = Limit{Every: time.Second, Burst: 3}
	// Tier3 is a Tier 3 method's limit (chat.update, conversations.open):
	// 50+ calls a minute per method, app-wide, sporadic bursts welcome.
	Tier3 = Limit{Every: time.Minute / 50, Burst: 5}
)

// bucket is one limit's tokens at a moment.
type bucket struct {
	tokens float64
	at     time.Time
}

// take spends a token of b under l at now, or reports how long until one
// is there.
func (l Limit) take(b *bucket, now time.Time) (wait time.Duration, ok bool) {
	burst := float64(max(l.Burst, 1))
	if b.at.IsZero() {
		b.tokens, b.at = burst, now
	}
	if l.Every > 0 {
		b.tokens = min(burst, b.tokens+float64(now.Sub(b.at))/float64(l.Every))
	}
	b.at = now
	if b.tokens >= 1 {
		b.tokens--
		return 0, true
	}
	return time.Duration((1 - b.tokens) * float64(l.Every)), false
}

// LimitPosts enforces l on chat.postMessage in each channel, as Slack's
// per-channel posting limit (PostLimit); a zero Limit turns it off. A
// refused post is recorded with Error "ratelimited".
func (s *Server) LimitPosts(l Limit) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.postLimit = l
	s.postBuckets = map[string]*bucket{}
}

// LimitTier enforces l on every call of method, app-wide, as Slack's
// method tiers do (Tier3 for chat.update); a zero Limit turns it off.
func (s *Server) LimitTier(method string, l Limit) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if l.Every <= 0 {
		delete(s.tiers, method)
		return
	}
	s.tiers[method] = l
	s.tierBuckets[method] = &bucket{}
}

// LimitLikeSlack enforces Slack's documented limits on what resetbot
// calls for helpdesk threads and DMs: PostLimit per channel on
// chat.postMessage, Tier3 app-wide on chat.update and on
// conversations.open.
func (s *Server) LimitLikeSlack() {
	s.LimitPosts(PostLimit)
	s.LimitTier("chat.update", Tier3)
	s.LimitTier("conversations.open", Tier3)
}

// SetLimitClock makes the rate limits of LimitPosts and LimitTier read
// now instead of the real time, so a test of a limit does not depend on
// how fast the machine runs.
func (s *Server) SetLimitClock(now func() time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.clock = now
}

func (s *Server) nowLocked() time.Time {
	if s.clock != nil {
		return s.clock()
	}
	return time.Now()
}

// RateLimited returns how many calls of method the fake answered 429.
func (s *Server) RateLimited(method string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, c := range s.calls {
		if c.Method == method && c.Error == "ratelimited" {
			n++
		}
	}
	return n
}
