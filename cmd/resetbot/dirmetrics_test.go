package main

import (
	"context"
	"reflect"
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/resetbot/resetbot/directory"
	"github.com/resetbot/resetbot/directory/ldap"
	"github.com/resetbot/resetbot/directory/memory"
)

// coreOnly is a directory with no optional capability.
type coreOnly struct{ directory.Directory }

// pingOnly has one capability no known backend has alone.
type pingOnly struct{ directory.Directory }

func (pingOnly) Ping(context.Context) error { return nil }

// TestInstrumentDirectoryCapabilities checks the wrapped directory offers
// exactly the optional interfaces of the one it wraps, each checked by the
// same type assertion serve's callers use.
func TestInstrumentDirectoryCapabilities(t *testing.T) {
	mem, err := memory.New(memory.ExampleSeed())
	if err != nil {
		t.Fatal(err)
	}
	m, err := newDirMetrics(prometheus.NewRegistry())
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		dir      directory.Directory
		measured bool
	}{
		{name: "ldap", dir: (*ldap.Directory)(nil), measured: true},
		{name: "memory", dir: mem, measured: true},
		{name: "no capability", dir: coreOnly{mem}},
		{name: "unknown capability set", dir: pingOnly{mem}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := instrumentDirectory(tt.dir, m)
			if _, wrapped := got.(interface {
				passwordPolicy(context.Context) (directory.Policy, error)
			}); wrapped != tt.measured {
				t.Errorf("measured = %v, want %v", wrapped, tt.measured)
			}
			for _, c := range optionalCapabilities {
				if want, have := reflect.TypeOf(tt.dir).Implements(c), reflect.TypeOf(got).Implements(c); want != have {
					t.Errorf("%v: wrapped implements = %v, directory implements = %v", c, have, want)
				}
			}
			// The assertions the callers make, spelt out.
			_, p1 := tt.dir.(directory.PolicyReader)
			_, p2 := got.(directory.PolicyReader)
			_, a1 := tt.dir.(directory.AccountPolicyReader)
			_, a2 := got.(directory.AccountPolicyReader)
			_, h1 := tt.dir.(directory.HistoryReporter)
			_, h2 := got.(directory.HistoryReporter)
			_, c1 := tt.dir.(directory.PasswordChangeReader)
			_, c2 := got.(directory.PasswordChangeReader)
			_, g1 := tt.dir.(interface{ Ping(context.Context) error })
			_, g2 := got.(interface{ Ping(context.Context) error })
			_, x1 := tt.dir.(interface{ Close() error })
			_, x2 := got.(interface{ Close() error })
			if p1 != p2 || a1 != a2 || h1 != h2 || c1 != c2 || g1 != g2 || x1 != x2 {
				t.Errorf("capabilities differ: policy %v/%v account policy %v/%v history %v/%v changed %v/%v ping %v/%v close %v/%v", p1, p2, a1, a2, h1, h2, c1, c2, g1, g2, x1, x2)
			}
		})
	}
	if !reflect.TypeFor[*ldap.Directory]().Implements(reflect.TypeFor[ldapCapabilities]()) {
		t.Error("*ldap.Directory lost a capability; the wrappers need updating")
	}
}

// TestDirectoryMetricsOutcomes checks each call lands in the series of its
// operation and outcome, with answers (unknown user, wrong password) told
// apart from failures.
func TestDirectoryMetricsOutcomes(t *testing.T) {
	mem, err := memory.New(memory.ExampleSeed())
	if err != nil {
		t.Fatal(err)
	}
	reg := prometheus.NewRegistry()
	m, err := newDirMetrics(reg)
	if err != nil {
		t.Fatal(err)
	}
	dir := instrumentDirectory(mem, m)
	ctx := context.Background()
	u, err := dir.Find(ctx, directory.Lookup{Kind: directory.ByAccountName, Value: "jdoe"})
	if err != nil {
		t.Fatal(err)
	}
	dir.Find(ctx, directory.Lookup{Kind: directory.ByAccountName, Value: "nobody"})
	dir.VerifyPassword(ctx, u, "wrong")
	dir.VerifyPassword(ctx, u, memory.ExamplePassword)
	dir.(directory.PolicyReader).PasswordPolicy(ctx)
	dir.(directory.PasswordChangeReader).PasswordChangedAt(ctx, u)
	dir.(directory.AccountPolicyReader).AccountPasswordPolicy(ctx, u)

	want := map[string]uint64{
		"find ok": 1, "find not_found": 1,
		"verify_password invalid_credentials": 1, "verify_password ok": 1,
		"password_policy ok": 1, "password_changed_at ok": 1,
		"account_password_policy ok": 1,
	}
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]uint64{}
	for _, mf := range mfs {
		for _, mt := range mf.GetMetric() {
			l := map[string]string{}
			for _, p := range mt.GetLabel() {
				l[p.GetName()] = p.GetValue()
			}
			got[l["op"]+" "+l["outcome"]] = mt.GetHistogram().GetSampleCount()
		}
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("series %v, want %v", got, want)
	}
}

// TestInstrumentDirectoryAccountPolicy checks the wrapper forwards the
// per-account policy to the directory rather than answering with the
// domain's: the password page would otherwise promise an account held to
// a fine-grained policy the domain's rules.
func TestInstrumentDirectoryAccountPolicy(t *testing.T) {
	seed := memory.ExampleSeed()
	strict := seed.Policy
	strict.MinLength = seed.Policy.MinLength + 6
	for i := range seed.Users {
		if seed.Users[i].AccountName == "jdoe" {
			seed.Users[i].Policy = &strict
		}
	}
	mem, err := memory.New(seed)
	if err != nil {
		t.Fatal(err)
	}
	m, err := newDirMetrics(prometheus.NewRegistry())
	if err != nil {
		t.Fatal(err)
	}
	dir := instrumentDirectory(mem, m)
	apr, ok := dir.(directory.AccountPolicyReader)
	if !ok {
		t.Fatal("the wrapped memory directory lost AccountPasswordPolicy")
	}
	ctx := context.Background()
	for name, want := range map[string]int{"jdoe": strict.MinLength, "pwuser": seed.Policy.MinLength} {
		u, err := dir.Find(ctx, directory.Lookup{Kind: directory.ByAccountName, Value: name})
		if err != nil {
			t.Fatal(err)
		}
		p, err := apr.AccountPasswordPolicy(ctx, u)
		if err != nil {
			t.Fatal(err)
		}
		if p.MinLength != want {
			t.Errorf("%s: MinLength %d through the wrapper, want %d", name, p.MinLength, want)
		}
	}
}
