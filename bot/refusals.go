package bot

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/resetbot/resetbot/flows"
)

// refusalWindow is how long the refusals of one requester share one
// helpdesk message: a flood of refused requests from one chat identity
// becomes one post (kept current in place) per window, not one post each,
// so it can neither bury the channel nor hold up the approvals behind it
// in the platform's posting rate.
const refusalWindow = time.Minute

// refusalTallies are the open aggregate messages, by requester. They are a
// per-process cache: after a restart, or on another replica, the next
// refusal simply opens a new message. Each event is still posted at most
// once (the sink's posted markers), so a lost tally costs one more post,
// never a lost or doubled refusal.
type refusalTallies struct {
	mu sync.Mutex
	by map[string]*refusalTally
}

// refusalTally is one requester's refusals in one window.
type refusalTally struct {
	platform    string
	ref         string      // the helpdesk message
	sample      flows.Event // the first refusal, for a tally of one
	first, last time.Time   // event times
	n           int
	reasons     []refusalReason // distinct, in order of first appearance
	counts      map[refusalReason]int
}

// refusalReason is one distinct reason of a tally: the account asked for
// (empty when none was named) and why it was refused. It is kept apart
// so the aggregate words it in the helpdesk's language when it is shown.
type refusalReason struct{ account, why string }

// maxTallies bounds the cache; beyond it, closed windows are forgotten.
const maxTallies = 1024

// maxReasons is how many distinct reasons one aggregate lists.
const maxReasons = 5

// open returns actor's tally if its window still covers at, else nil.
func (t *refusalTallies) open(actor string, at time.Time) *refusalTally {
	t.mu.Lock()
	defer t.mu.Unlock()
	if cur := t.by[actor]; cur != nil && at.Before(cur.first.Add(refusalWindow)) {
		return cur.clone()
	}
	return nil
}

// store records actor's tally after its message was posted or updated.
func (t *refusalTallies) store(actor string, tally *refusalTally) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.by == nil {
		t.by = map[string]*refusalTally{}
	}
	if len(t.by) >= maxTallies {
		for a, cur := range t.by {
			if !tally.last.Before(cur.first.Add(refusalWindow)) {
				delete(t.by, a)
			}
		}
	}
	t.by[actor] = tally
}

func (r *refusalTally) clone() *refusalTally {
	c := *r
	c.reasons = append([]refusalReason(nil), r.reasons...)
	c.counts = make(map[refusalReason]int, len(r.counts))
	for k, v := range r.counts {
		c.counts[k] = v
	}
	return &c
}

// add counts one refused request.
func (r *refusalTally) add(ev flows.Event) {
	if r.n == 0 {
		r.sample = ev
	}
	if r.n == 0 || ev.Time.Before(r.first) {
		r.first = ev.Time
	}
	if ev.Time.After(r.last) {
		r.last = ev.Time
	}
	r.n++
	why := refusalReason{account: ev.Account, why: orDefault(ev.Reason, ev.Outcome)}
	if r.counts == nil {
		r.counts = map[refusalReason]int{}
	}
	if r.counts[why] == 0 {
		r.reasons = append(r.reasons, why)
	}
	r.counts[why]++
}

// isRefusal reports whether an event is a refused request, which the
// helpdesk sees aggregated per requester rather than in a flow's thread: a
// refusal, or a risk policy's deny of a request no flow was made for.
func isRefusal(ev flows.Event) bool {
	return ev.FlowID == "" && (ev.Type == flows.EventRefused || ev.Type == flows.EventRiskDecided)
}

// postRefusals shows refused requests in the helpdesk channel: per
// requester and window, the first opens a message and later ones update
// it with the count ("12 refused requests from @x in the last minute").
// Several refusals in one call cost one post or one update per requester
// and window. Events are in stream order. Each requester's window is
// marked posted as soon as its message stands, so a failure later in the
// call never counts those refusals twice; it returns the ids marked.
func (s threadSink) postRefusals(ctx context.Context, evs []flows.Event) ([]string, error) {
	var done []string
	b := s.b
	var order []string
	byActor := map[string][]flows.Event{}
	for _, ev := range evs {
		if _, ok := byActor[ev.Actor]; !ok {
			order = append(order, ev.Actor)
		}
		byActor[ev.Actor] = append(byActor[ev.Actor], ev)
	}
	for _, actor := range order {
		platform, _, _ := strings.Cut(actor, ":")
		ms, err := b.messenger(platform)
		if err != nil {
			// A platform no longer configured: nowhere to show it.
			for _, ev := range byActor[actor] {
				done = append(done, ev.ID)
			}
			continue
		}
		pending := byActor[actor]
		for len(pending) > 0 {
			tally := b.refusals.open(actor, pending[0].Time)
			fresh := tally == nil
			if fresh {
				tally = &refusalTally{platform: platform}
			}
			i := 0
			for ; i < len(pending); i++ {
				if tally.n > 0 && !pending[i].Time.Before(tally.first.Add(refusalWindow)) {
					break // the window closed: the rest opens the next one
				}
				tally.add(pending[i])
			}
			m := b.refusalMessage(actor, tally)
			if !fresh {
				err = ms.UpdateHelpdesk(ctx, tally.ref, m)
				if IsPermanent(err) {
					fresh = true // the message was deleted: post it anew
				} else if err != nil {
					return done, fmt.Errorf("update refusal count: %w", err)
				}
			}
			if fresh {
				tally.ref, err = ms.PostHelpdesk(ctx, m)
				if IsPermanent(err) {
					b.deps.Log.Error("refused requests undeliverable to the helpdesk; not retried", "actor", actor, "count", i, "err", err)
				} else if err != nil {
					return done, fmt.Errorf("post refusal: %w", err)
				}
			}
			b.refusals.store(actor, tally)
			if err := s.markAll(ctx, pending[:i]); err != nil {
				return done, err
			}
			for _, ev := range pending[:i] {
				done = append(done, ev.ID)
			}
			pending = pending[i:]
		}
	}
	return done, nil
}

// refusalMessage renders a requester's tally in the helpdesk's language:
// one refusal reads as it always did, several as a count with their
// reasons.
func (b *Bot) refusalMessage(actor string, t *refusalTally) Message {
	l := b.helpdeskLang()
	if t.n == 1 {
		text, tone := b.eventWords(t.sample)
		return Message{Summary: text, Title: l.T("chat.refusals.one.title"), Body: []string{b.clock(t.first) + " · " + text}, Tone: tone}
	}
	summary := l.N("chat.refusals.summary", t.n, "Who", actorWords(l, actor))
	var reasons []string
	for i, why := range t.reasons {
		if i == maxReasons {
			reasons = append(reasons, l.N("chat.refusals.others", len(t.reasons)-maxReasons))
			break
		}
		text := auditWords(l, why.why)
		if why.account != "" {
			text = l.T("chat.refusals.for", "Account", why.account, "Reason", text)
		}
		reasons = append(reasons, l.T("chat.refusals.counted", "Reason", text, "N", t.counts[why]))
	}
	return Message{
		Summary: summary,
		Title:   l.T("chat.refusals.many.title"),
		Body: []string{
			b.clock(t.first) + "–" + b.clock(t.last) + " · " + summary,
			l.T("chat.refusals.reasons", "List", strings.Join(reasons, "; ")),
		},
		Note: l.T("chat.refusals.note"),
		Tone: ToneWarning,
	}
}
