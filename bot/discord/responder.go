package discord

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/resetbot/resetbot/bot"
	"github.com/resetbot/resetbot/bot/platform"
)

// followup answers one interaction privately after its first response,
// on the interaction's webhook (valid 15 minutes): ephemeral follow-up
// messages, or, when the first response was deferred (type 5), the edit
// that fills it in. The interaction token is the capability, which is why
// it is never logged and why errors never carry the URL.
type followup struct {
	s     *discordgo.Session
	appID string
	token string
	// sent is closed once the first response went out: Discord refuses
	// follow-ups to an interaction it has not seen answered.
	sent chan struct{}
	once sync.Once

	mu sync.Mutex // orders the answers to one interaction
	// deferred means the first response was type 5 and the next answer
	// replaces its "thinking" placeholder.
	deferred bool
}

var _ bot.Responder = (*followup)(nil)

// firstResponseWait bounds how long an answer waits for the interaction's
// first response. Discord gives up on an interaction after 3 seconds, so a
// first response that has not gone out by then never will (the request
// failed), and waiting longer would only hold the core's goroutine.
const firstResponseWait = 5 * time.Second

// webhookBucket is discordgo's rate-limit bucket for every follow-up. By
// default discordgo keys webhook buckets by URL, token included, and never
// forgets a bucket: one per interaction, for the life of the process.
func webhookBucket(appID string) string {
	return discordgo.EndpointWebhooks + appID + "/interaction-followups"
}

func newFollowup(s *discordgo.Session, appID, token string) *followup {
	return &followup{s: s, appID: appID, token: token, sent: make(chan struct{})}
}

// responded marks the first response as written.
func (f *followup) responded() { f.once.Do(func() { close(f.sent) }) }

// deferFirst records that the first response is a deferred placeholder.
func (f *followup) deferFirst() {
	f.mu.Lock()
	f.deferred = true
	f.mu.Unlock()
}

// Respond implements bot.Responder. A 429 surfaces as *bot.RetryAfterError.
func (f *followup) Respond(ctx context.Context, m bot.Message) error {
	if platform.IsZero(m) {
		return nil
	}
	r, err := render(m)
	if err != nil {
		return err
	}
	wait := time.NewTimer(firstResponseWait)
	defer wait.Stop()
	select {
	case <-f.sent:
	case <-ctx.Done():
		return fmt.Errorf("discord follow-up: first response not sent: %w", ctx.Err())
	case <-wait.C:
		return errors.New("discord follow-up: the interaction was never answered")
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.deferred {
		_, err := f.s.RequestWithBucketID("PATCH", discordgo.EndpointWebhookMessage(f.appID, f.token, "@original"),
			r.asOriginalEdit(), webhookBucket(f.appID), call(ctx))
		if err != nil {
			return apiError("edit deferred response", err)
		}
		f.deferred = false
		return nil
	}
	_, err = f.s.RequestWithBucketID("POST", discordgo.EndpointWebhookToken(f.appID, f.token),
		r.asFollowup(), webhookBucket(f.appID), call(ctx))
	return apiError("send follow-up", err)
}
