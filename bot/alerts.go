package bot

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/resetbot/resetbot/flows"
)

// AlertConfig sets when the helpdesk channel gets an alert. A burst of
// reset requests is how a phishing wave or a credential-stuffing campaign
// looks from here; repeated failed verifications on one account are how an
// attacker with a stolen chat session looks.
type AlertConfig struct {
	// SpikeRequests alerts when this many requests arrive within
	// SpikeWindow, overall (default 20 in 10 minutes; negative: off).
	SpikeRequests int
	SpikeWindow   time.Duration
	// DepartmentRequests alerts when one department reaches this many
	// requests within SpikeWindow (0: off).
	DepartmentRequests int
	// FailedVerifications warns when one account fails verification this
	// many times within an hour (default 3; negative: off).
	FailedVerifications int
}

func (c AlertConfig) withDefaults() AlertConfig {
	if c.SpikeRequests == 0 {
		c.SpikeRequests = 20
	}
	if c.SpikeWindow <= 0 {
		c.SpikeWindow = 10 * time.Minute
	}
	if c.FailedVerifications == 0 {
		c.FailedVerifications = 3
	}
	return c
}

// alertSink watches the audit stream for the patterns AlertConfig names
// and posts an alert to the helpdesk channel when one reaches its
// threshold. Counting and posting are two steps with a mark between them:
// the alerts an event triggered are recorded before they are posted, so a
// failed post is retried with the same alert instead of being lost behind
// a counter that has moved past its threshold.
type alertSink struct{ b *Bot }

// Name implements flows.Sink.
func (alertSink) Name() string { return "alerts" }

// pendingPrefix starts the mark of an event whose alerts are counted but
// not all posted; the rest is the JSON list of the alerts (what, not
// words: another replica may post them, and mentions are made where the
// message is).
const pendingPrefix = "pending:"

// Deliver implements flows.Sink.
func (s alertSink) Deliver(ctx context.Context, ev flows.Event) error {
	if ev.Type != flows.EventRequested && ev.Type != flows.EventVerifyFailed {
		return nil
	}
	b := s.b
	v, ok, err := b.deps.Store.Marked(ctx, s.Name(), ev.ID)
	if err != nil {
		return err
	}
	if !ok {
		if done, err := b.handled(ctx, s.Name(), ev); err != nil || done {
			return err
		}
	}
	if v == markDone {
		return nil
	}
	f, ms, err := b.flowOf(ctx, ev)
	if err != nil || f == nil {
		return err
	}
	var texts []alert
	if ok && strings.HasPrefix(v, pendingPrefix) {
		if texts, err = pendingAlerts(v[len(pendingPrefix):]); err != nil {
			return fmt.Errorf("alerts: mark of %s: %w", ev.ID, err)
		}
	} else {
		if texts, err = b.countAlerts(ctx, f, ev); err != nil {
			return err
		}
	}
	for len(texts) > 0 {
		if err := s.remember(ctx, ev, texts); err != nil {
			return err
		}
		if err := b.postAlert(ctx, ms, b.alertWords(texts[0]), b.alertFlows(texts[0])...); err != nil {
			if !IsPermanent(err) {
				return err
			}
			b.deps.Log.Error("alert undeliverable; not retried", "event", ev.ID, "err", err)
		}
		texts = texts[1:]
	}
	return b.deps.Store.Mark(ctx, s.Name(), ev.ID, markDone)
}

// pendingAlerts reads a pending mark. A mark written before alerts were
// kept as facts holds their finished texts: those are posted as text (a
// mention in one shows as text too, never as a ping).
func pendingAlerts(data string) ([]alert, error) {
	var out []alert
	err := json.Unmarshal([]byte(data), &out)
	if err == nil {
		return out, nil
	}
	var texts []string
	if json.Unmarshal([]byte(data), &texts) != nil {
		return nil, err
	}
	for _, t := range texts {
		out = append(out, alert{Kind: alertText, Text: t})
	}
	return out, nil
}

// remember records the alerts of ev still to post.
func (s alertSink) remember(ctx context.Context, ev flows.Event, texts []alert) error {
	data, err := json.Marshal(texts)
	if err != nil {
		return err
	}
	return s.b.deps.Store.Mark(ctx, s.Name(), ev.ID, pendingPrefix+string(data))
}

// countAlerts counts ev where the configuration says, and returns the
// alerts whose threshold it reached (each count equals its threshold
// exactly once per window).
func (b *Bot) countAlerts(ctx context.Context, f *flows.Flow, ev flows.Event) ([]alert, error) {
	a := b.cfg.Alerts
	var out []alert
	switch ev.Type {
	case flows.EventRequested:
		if a.SpikeRequests > 0 {
			n, err := b.deps.Store.Hit(ctx, "alert:spike", a.SpikeWindow, ev.Time)
			if err != nil {
				return nil, err
			}
			if n == int64(a.SpikeRequests) {
				out = append(out, alert{Kind: alertSpike, N: n, Window: a.SpikeWindow})
			}
		}
		if a.DepartmentRequests > 0 && ev.Department != "" {
			if err := b.rememberDepartmentFlow(ctx, ev, a.SpikeWindow); err != nil {
				return nil, err
			}
			n, err := b.deps.Store.Hit(ctx, "alert:spike:dept:"+ev.Department, a.SpikeWindow, ev.Time)
			if err != nil {
				return nil, err
			}
			if n == int64(a.DepartmentRequests) {
				ids, err := b.departmentFlows(ctx, ev, a.SpikeWindow)
				if err != nil {
					return nil, err
				}
				out = append(out, alert{Kind: alertDepartment, N: n, Window: a.SpikeWindow, Department: ev.Department, Flows: ids})
			}
		}
	case flows.EventVerifyFailed:
		limit := a.FailedVerifications
		if limit <= 0 {
			return nil, nil
		}
		n, err := b.deps.Store.Hit(ctx, "alert:vfail:"+f.Subject.AccountID, time.Hour, ev.Time)
		if err != nil {
			return nil, err
		}
		if n == int64(limit) {
			out = append(out, alert{Kind: alertFailedVerifications, N: n, Account: f.Subject.AccountName, Chat: f.Subject.Chat})
		}
	}
	return out, nil
}

func (b *Bot) postAlert(ctx context.Context, ms Messenger, text string, more ...string) error {
	_, err := ms.PostHelpdesk(ctx, Message{Summary: "Alert: " + text, Title: "⚠ Alert", Body: append([]string{text}, more...), Tone: ToneDanger})
	return err
}

// alert is one alert as counted: its kind and the facts its words need.
// Directory text (Department, Account) stays text; Chat becomes a mention
// only when the words are made.
type alert struct {
	Kind       string             `json:"kind"`
	N          int64              `json:"n"`
	Window     time.Duration      `json:"window,omitempty"`
	Department string             `json:"department,omitempty"`
	Account    string             `json:"account,omitempty"`
	Chat       flows.ChatIdentity `json:"chat,omitzero"`
	// Flows are, for a department alert, the ids of the flows counted
	// (the latest maxAlertFlows), so the helpdesk can open their threads.
	Flows []string `json:"flows,omitempty"`
	// Text is a finished text from an older mark (alertText).
	Text string `json:"text,omitempty"`
}

// The kinds of alert.
const (
	alertSpike               = "spike"
	alertDepartment          = "department"
	alertFailedVerifications = "failed_verifications"
	alertText                = "text"
)

// alertWords is what the helpdesk channel reads for a.
func (b *Bot) alertWords(a alert) string {
	switch a.Kind {
	case alertSpike:
		return fmt.Sprintf("%d reset requests within %s. If you did not expect this, check for a phishing or password-spraying campaign.", a.N, a.Window)
	case alertDepartment:
		return fmt.Sprintf("%d reset requests from %s within %s.", a.N, a.Department, a.Window)
	case alertFailedVerifications:
		return fmt.Sprintf("%d failed verifications for %s (%s) within an hour. Someone may be trying to take over this account; consider calling the user.",
			a.N, a.Account, Mention(a.Chat))
	case alertText:
		return a.Text
	}
	return a.Kind
}
