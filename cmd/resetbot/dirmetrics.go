package main

import (
	"context"
	"errors"
	"io"
	"reflect"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/resetbot/resetbot/directory"
)

// dirMetrics times every directory call by operation and outcome, so a slow
// or failing directory shows on the dashboard before the helpdesk hears of
// it. The histogram's _count by outcome doubles as the error counter.
type dirMetrics struct {
	duration *prometheus.HistogramVec
}

// newDirMetrics registers resetbot_directory_operation_duration_seconds.
func newDirMetrics(reg prometheus.Registerer) (*dirMetrics, error) {
	m := &dirMetrics{duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Namespace: "resetbot",
		Name:      "directory_operation_duration_seconds",
		Help:      "Time of each directory call, by operation and outcome (ok, not_found, invalid_credentials, policy, unavailable, permission, error).",
		Buckets:   []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30},
	}, []string{"op", "outcome"})}
	if err := reg.Register(m.duration); err != nil {
		return nil, err
	}
	return m, nil
}

// dirOutcome names an error by the package's sentinels: a wrong password or
// an unknown user are answers, not directory failures, and must be told
// apart from an unreachable server on the dashboard.
func dirOutcome(err error) string {
	switch {
	case err == nil:
		return "ok"
	case errors.Is(err, directory.ErrNotFound):
		return "not_found"
	case errors.Is(err, directory.ErrInvalidCredentials):
		return "invalid_credentials"
	case errors.Is(err, directory.ErrPasswordPolicy):
		return "policy"
	case errors.Is(err, directory.ErrUnavailable):
		return "unavailable"
	case errors.Is(err, directory.ErrPermission):
		return "permission"
	}
	return "error"
}

func (m *dirMetrics) observe(op string, start time.Time, err error) {
	m.duration.WithLabelValues(op, dirOutcome(err)).Observe(time.Since(start).Seconds())
}

// pinger is the optional liveness check readiness uses.
type pinger interface {
	Ping(ctx context.Context) error
}

// ldapCapabilities is every optional interface a real directory offers.
type ldapCapabilities interface {
	directory.PolicyReader
	directory.AccountPolicyReader
	directory.HistoryReporter
	directory.PasswordChangeReader
	directory.ExpiryLister
	directory.GroupMemberLister
	directory.Concurrent
	pinger
	io.Closer
}

// memoryCapabilities is what the in-memory demo directory offers.
type memoryCapabilities interface {
	directory.PolicyReader
	directory.AccountPolicyReader
	directory.PasswordChangeReader
	directory.ExpiryLister
	directory.GroupMemberLister
}

// instrumentDirectory wraps d so each call is timed. The rest of serve finds
// optional capabilities by type assertion, so the wrapper must offer exactly
// the capabilities d has: a missing one would silently turn a feature off
// (the policy hints, history checks, readiness) and an extra one would claim
// what d cannot do. Only the capability sets of the known backends have a
// wrapper; any other directory is returned as it is, unmeasured rather than
// crippled.
func instrumentDirectory(d directory.Directory, m *dirMetrics) directory.Directory {
	t := &timedDirectory{d: d, m: m}
	switch {
	case capabilities(reflect.TypeOf(d)) == capabilities(reflect.TypeFor[ldapCapabilities]()):
		return &timedLDAP{timedDirectory: t}
	case capabilities(reflect.TypeOf(d)) == capabilities(reflect.TypeFor[memoryCapabilities]()):
		return &timedMemory{timedDirectory: t}
	}
	return d
}

// optionalCapabilities lists every optional interface a caller may look for
// on a directory. A new one must be added here and to the wrappers.
var optionalCapabilities = []reflect.Type{
	reflect.TypeFor[directory.PolicyReader](),
	reflect.TypeFor[directory.AccountPolicyReader](),
	reflect.TypeFor[directory.HistoryReporter](),
	reflect.TypeFor[directory.PasswordChangeReader](),
	reflect.TypeFor[directory.ExpiryLister](),
	reflect.TypeFor[directory.GroupMemberLister](),
	reflect.TypeFor[directory.Concurrent](),
	reflect.TypeFor[pinger](),
	reflect.TypeFor[io.Closer](),
}

// capabilities is the set of optional interfaces t implements, as a bit set.
func capabilities(t reflect.Type) uint {
	var bits uint
	for i, c := range optionalCapabilities {
		if t.Implements(c) {
			bits |= 1 << i
		}
	}
	return bits
}

// timedDirectory times the core Directory methods.
type timedDirectory struct {
	d directory.Directory
	m *dirMetrics
}

func (t *timedDirectory) Find(ctx context.Context, l directory.Lookup) (*directory.User, error) {
	start := time.Now()
	u, err := t.d.Find(ctx, l)
	t.m.observe("find", start, err)
	return u, err
}

func (t *timedDirectory) SetPassword(ctx context.Context, u *directory.User, newPassword string) error {
	start := time.Now()
	err := t.d.SetPassword(ctx, u, newPassword)
	t.m.observe("set_password", start, err)
	return err
}

func (t *timedDirectory) VerifyPassword(ctx context.Context, u *directory.User, password string) error {
	start := time.Now()
	err := t.d.VerifyPassword(ctx, u, password)
	t.m.observe("verify_password", start, err)
	return err
}

func (t *timedDirectory) Unlock(ctx context.Context, u *directory.User) error {
	start := time.Now()
	err := t.d.Unlock(ctx, u)
	t.m.observe("unlock", start, err)
	return err
}

// The optional capabilities, forwarded by the wrappers that offer them.

func (t *timedDirectory) passwordPolicy(ctx context.Context) (directory.Policy, error) {
	start := time.Now()
	p, err := t.d.(directory.PolicyReader).PasswordPolicy(ctx)
	t.m.observe("password_policy", start, err)
	return p, err
}

func (t *timedDirectory) accountPasswordPolicy(ctx context.Context, u *directory.User) (directory.Policy, error) {
	start := time.Now()
	p, err := t.d.(directory.AccountPolicyReader).AccountPasswordPolicy(ctx, u)
	t.m.observe("account_password_policy", start, err)
	return p, err
}

func (t *timedDirectory) historyEnforcement(ctx context.Context) (directory.HistoryEnforcement, error) {
	start := time.Now()
	h, err := t.d.(directory.HistoryReporter).HistoryEnforcement(ctx)
	t.m.observe("history_enforcement", start, err)
	return h, err
}

func (t *timedDirectory) passwordChangedAt(ctx context.Context, u *directory.User) (time.Time, error) {
	start := time.Now()
	at, err := t.d.(directory.PasswordChangeReader).PasswordChangedAt(ctx, u)
	t.m.observe("password_changed_at", start, err)
	return at, err
}

func (t *timedDirectory) passwordsExpiringBefore(ctx context.Context, before time.Time) ([]directory.PasswordExpiry, error) {
	start := time.Now()
	l, err := t.d.(directory.ExpiryLister).PasswordsExpiringBefore(ctx, before)
	t.m.observe("passwords_expiring", start, err)
	return l, err
}

func (t *timedDirectory) groupMembers(ctx context.Context, groupDN string) ([]*directory.User, error) {
	start := time.Now()
	l, err := t.d.(directory.GroupMemberLister).GroupMembers(ctx, groupDN)
	t.m.observe("group_members", start, err)
	return l, err
}

func (t *timedDirectory) ping(ctx context.Context) error {
	start := time.Now()
	err := t.d.(pinger).Ping(ctx)
	t.m.observe("ping", start, err)
	return err
}

// timedLDAP is the wrapper for a directory with every capability.
type timedLDAP struct{ *timedDirectory }

// PasswordPolicy implements directory.PolicyReader.
func (t *timedLDAP) PasswordPolicy(ctx context.Context) (directory.Policy, error) {
	return t.passwordPolicy(ctx)
}

// AccountPasswordPolicy implements directory.AccountPolicyReader.
func (t *timedLDAP) AccountPasswordPolicy(ctx context.Context, u *directory.User) (directory.Policy, error) {
	return t.accountPasswordPolicy(ctx, u)
}

// HistoryEnforcement implements directory.HistoryReporter.
func (t *timedLDAP) HistoryEnforcement(ctx context.Context) (directory.HistoryEnforcement, error) {
	return t.historyEnforcement(ctx)
}

// PasswordChangedAt implements directory.PasswordChangeReader.
func (t *timedLDAP) PasswordChangedAt(ctx context.Context, u *directory.User) (time.Time, error) {
	return t.passwordChangedAt(ctx, u)
}

// PasswordsExpiringBefore implements directory.ExpiryLister.
func (t *timedLDAP) PasswordsExpiringBefore(ctx context.Context, before time.Time) ([]directory.PasswordExpiry, error) {
	return t.passwordsExpiringBefore(ctx, before)
}

// GroupMembers implements directory.GroupMemberLister.
func (t *timedLDAP) GroupMembers(ctx context.Context, groupDN string) ([]*directory.User, error) {
	return t.groupMembers(ctx, groupDN)
}

// Concurrency implements directory.Concurrent (not timed: it asks the
// pool's size, not the directory).
func (t *timedLDAP) Concurrency() int { return t.d.(directory.Concurrent).Concurrency() }

// Ping is the readiness check.
func (t *timedLDAP) Ping(ctx context.Context) error { return t.ping(ctx) }

// Close implements io.Closer (not timed: it happens once, at shutdown).
func (t *timedLDAP) Close() error { return t.d.(io.Closer).Close() }

// timedMemory is the wrapper for the in-memory directory's capabilities.
type timedMemory struct{ *timedDirectory }

// PasswordPolicy implements directory.PolicyReader.
func (t *timedMemory) PasswordPolicy(ctx context.Context) (directory.Policy, error) {
	return t.passwordPolicy(ctx)
}

// AccountPasswordPolicy implements directory.AccountPolicyReader.
func (t *timedMemory) AccountPasswordPolicy(ctx context.Context, u *directory.User) (directory.Policy, error) {
	return t.accountPasswordPolicy(ctx, u)
}

// PasswordChangedAt implements directory.PasswordChangeReader.
func (t *timedMemory) PasswordChangedAt(ctx context.Context, u *directory.User) (time.Time, error) {
	return t.passwordChangedAt(ctx, u)
}

// PasswordsExpiringBefore implements directory.ExpiryLister.
func (t *timedMemory) PasswordsExpiringBefore(ctx context.Context, before time.Time) ([]directory.PasswordExpiry, error) {
	return t.passwordsExpiringBefore(ctx, before)
}

// GroupMembers implements directory.GroupMemberLister.
func (t *timedMemory) GroupMembers(ctx context.Context, groupDN string) ([]*directory.User, error) {
	return t.groupMembers(ctx, groupDN)
}
