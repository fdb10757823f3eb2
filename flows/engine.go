package flows

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/resetbot/resetbot/directory"
)

// ErrVerificationFailed: the factor did not verify; the flow stays open for
// another attempt until the attempt limit.
var ErrVerificationFailed = errors.New("flows: verification failed")

// Config holds the engine's lifetimes, attempt limits, rate limits and
// account policy.
type Config struct {
	// LinkTTL is how long an unredeemed link is valid; at most 10 minutes.
	LinkTTL time.Duration
	// FlowTTL is how long a redeemed flow may take to finish.
	FlowTTL time.Duration
	// ApprovalTTL is how long a privileged flow waits for the helpdesk.
	ApprovalTTL time.Duration
	// MaxVerifyAttempts fails the flow after this many failed factors.
	MaxVerifyAttempts int
	// MaxPasswordAttempts fails the flow after this many refused passwords.
	MaxPasswordAttempts int
	// WriteTimeout bounds the directory write of Complete (the account's
	// re-read and the write itself). It runs detached from the caller's
	// context: a closed browser tab never interrupts it.
	WriteTimeout time.Duration
	// RecordTimeout bounds how long Complete keeps trying to store the
	// outcome while the store is unavailable. After WriteTimeout plus
	// RecordTimeout a flow still in StateApplying is orphaned, and the
	// reconciler records its outcome from the directory's evidence.
	RecordTimeout time.Duration
	Limits        Limits
	Policy        Policy
	// Risk maps risk signals to note, step-up or deny (see RiskPolicy).
	Risk RiskPolicy
}

// MaxLinkTTL is the longest a link may live, whatever the configuration.
const MaxLinkTTL = 10 * time.Minute

func (c Config) withDefaults() Config {
	if c.LinkTTL <= 0 || c.LinkTTL > MaxLinkTTL {
		c.LinkTTL = MaxLinkTTL
	}
	if c.FlowTTL <= 0 {
		c.FlowTTL = 15 * time.Minute
	}
	if c.ApprovalTTL <= 0 {
		c.ApprovalTTL = 30 * time.Minute
	}
	if c.MaxVerifyAttempts <= 0 {
		c.MaxVerifyAttempts = 5
	}
	if c.MaxPasswordAttempts <= 0 {
		c.MaxPasswordAttempts = 5
	}
	if c.WriteTimeout <= 0 {
		c.WriteTimeout = 30 * time.Second
	}
	if c.RecordTimeout <= 0 {
		c.RecordTimeout = 30 * time.Second
	}
	c.Risk = c.Risk.withDefaults()
	return c
}

// Engine runs flows: the bot core starts them and records approvals, the web
// app redeems links, records verifications and completes them. Every step
// reads the flow, checks its state, and writes the new state with its audit
// events in one compare-and-swap; a lost race is retried from a fresh read.
type Engine struct {
	store Store
	dir   directory.Directory
	cfg   Config
	now   func() time.Time
	log   *slog.Logger
	// deferred holds audit events of failed requests while Redis is away.
	deferred deferredEvents
}

// Option customises an Engine.
type Option func(*Engine)

// WithClock injects the clock, so tests move time instead of sleeping.
func WithClock(now func() time.Time) Option { return func(e *Engine) { e.now = now } }

// WithLogger sets the logger for causes that must not reach users.
func WithLogger(l *slog.Logger) Option { return func(e *Engine) { e.log = l } }

// NewEngine wires an engine to its store and directory.
func NewEngine(store Store, dir directory.Directory, cfg Config, opts ...Option) *Engine {
	e := &Engine{store: store, dir: dir, cfg: cfg.withDefaults(), now: time.Now, log: slog.Default()}
	for _, o := range opts {
		o(e)
	}
	return e
}

// Client describes where a web step came from, for the audit trail.
type Client struct {
	IP     string
	Device string
	// Preview says the client is a link preview or mail scanner, not the
	// person: Open records it as EventLinkPreviewed, never as the person's
	// "link opened".
	Preview bool
}

// Get reads a flow by id (for the bot core: status, rendering).
func (e *Engine) Get(ctx context.Context, id string) (*Flow, error) {
	return e.store.Get(ctx, id)
}

// clock returns the current time in UTC.
func (e *Engine) clock() time.Time { return e.now().UTC() }

// event builds an audit event for a flow.
func (e *Engine) event(f *Flow, h happened, now time.Time) Event {
	return Event{
		Time: now, Type: h.Type, FlowID: f.ID, Kind: f.Kind,
		Account: f.Subject.AccountName, AccountID: f.Subject.AccountID, Department: f.Subject.Department,
		Actor: h.Actor, From: h.From, To: f.State, Outcome: h.Outcome, Thread: f.Thread,
	}
}

// happened is what an event says beyond the flow it is about, each part
// named at the call: e.event(f, happened{Type: EventDenied, Actor: who,
// From: StateAwaitingApproval, Outcome: "denied"}, now). The flow gives the
// rest (its id, kind, subject, thread, and its state as the event's To).
type happened struct {
	// Type is what happened.
	Type EventType
	// Actor is who made it happen: a chat identity, or "system".
	Actor string
	// From is the flow's state before; empty when the event is no
	// transition (a request, a sent link, a refused click).
	From State
	// Outcome is how it ended: "ok", "denied", "refused", a reason code.
	Outcome string
}

// move changes f's state if the transition table allows it.
func move(f *Flow, op string, to State) error {
	if !CanMove(f.State, to) {
		return &TransitionError{Op: op, From: f.State, To: to}
	}
	f.State = to
	return nil
}

// step is one read-check-write attempt. It returns the events to store with
// the changed flow (nil: nothing is written; empty: the flow is written with
// no event, for bookkeeping that is not a transition) and the error for the caller
// (which may accompany stored events, e.g. a failed verification).
type step func(f *Flow, now time.Time) (events []Event, result error)

// mutate runs a step under compare-and-swap, retrying on a lost race. A
// binding of "" skips the browser-binding check (bot-side operations). The
// first attempt starts from the flow the request already read (WithRead)
// when ctx carries it; every retry reads the store again.
func (e *Engine) mutate(ctx context.Context, id, binding string, fn step) (*Flow, error) {
	return e.mutateSpending(ctx, id, binding, fn, nil)
}

// mutateSpending is mutate whose write also spends the budgets spend
// names for the flow as the step left it (Store.UpdateSpending), in the
// same round trip; a failure to spend them is logged, not returned.
func (e *Engine) mutateSpending(ctx context.Context, id, binding string, fn step, spend func(f *Flow) []Budget) (*Flow, error) {
	known := knownFlow(ctx, id)
	for attempt := 0; attempt < 8; attempt++ {
		var f *Flow
		var err error
		if known != nil {
			f, known = known, nil
			err = e.check(f, binding)
		} else {
			f, err = e.load(ctx, id, binding)
			if err == nil {
				noteFlow(ctx, f)
			}
		}
		if err != nil {
			return nil, err
		}
		now := e.clock()
		events, result := fn(f, now)
		if events == nil {
			return f, result
		}
		if f.State.Terminal() && f.EndedAt.IsZero() {
			f.EndedAt = now
		}
		var budgets []Budget
		if spend != nil {
			budgets = spend(f)
		}
		if len(budgets) > 0 {
			var spendErr error
			spendErr, err = e.store.UpdateSpending(ctx, f, events, budgets, now)
			if spendErr != nil {
				e.log.Warn("flows: budgets spent with a flow's write failed", "flow", f.ID, "err", spendErr)
			}
		} else {
			err = e.store.Update(ctx, f, events)
		}
		if errors.Is(err, ErrConflict) {
			continue
		}
		if err != nil {
			return nil, err
		}
		noteFlow(ctx, f)
		return f, result
	}
	return nil, fmt.Errorf("%w: flow %s: too much contention", ErrConflict, id)
}

// load reads a flow and checks it (check).
func (e *Engine) load(ctx context.Context, id, binding string) (*Flow, error) {
	f, err := e.store.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	return f, e.check(f, binding)
}

// check makes sure f's state is known and, for web steps, that the browser
// holds the flow's binding secret.
func (e *Engine) check(f *Flow, binding string) error {
	if !f.State.Known() {
		return fmt.Errorf("%w: %q", ErrUnknownState, f.State)
	}
	if binding != "" && !equalHash(f.Binding, hashSecret(binding)) {
		return ErrBinding
	}
	return nil
}

// Authorize returns the flow if the browser holds its binding secret, for
// web pages that only read (which step to show).
func (e *Engine) Authorize(ctx context.Context, flowID, binding string) (*Flow, error) {
	if binding == "" {
		return nil, ErrBinding
	}
	f, err := e.load(ctx, flowID, binding)
	if err != nil {
		return nil, err
	}
	if !f.State.Terminal() && !e.clock().Before(f.ExpiresAt) {
		return f, ErrExpired
	}
	return f, nil
}

// SetThread records the chat audit-thread reference of a flow. It is not a
// transition and appends no event.
func (e *Engine) SetThread(ctx context.Context, flowID, thread string) error {
	_, err := e.mutate(ctx, flowID, "", func(f *Flow, now time.Time) ([]Event, error) {
		if f.Thread == thread {
			return nil, nil
		}
		f.Thread = thread
		return []Event{}, nil
	})
	return err
}
