package webauth

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/resetbot/resetbot/directory"
	"github.com/resetbot/resetbot/flows"
)

// Bounds of the per-flow policy cache: a flow's pages (the password page,
// its live checks, the submit) are minutes apart at most, and an entry is
// a few dozen bytes.
const (
	flowPolicyTTL     = 15 * time.Minute
	flowPolicyEntries = 4096
)

// flowPolicies remembers the effective password policy of each flow's
// account, so the page, every live check and the submit ask the directory
// once per flow: on Active Directory the account's fine-grained policy
// costs a read of the account, which the directory's own (domain-wide)
// policy cache cannot save.
type flowPolicies struct {
	mu sync.Mutex
	m  map[string]flowPolicy // flow id -> policy
}

type flowPolicy struct {
	account string
	policy  directory.Policy
	until   time.Time
}

// accountPolicy is the password policy that applies to the flow's account:
// the directory's AccountPasswordPolicy where it has per-account policies
// (AD fine-grained password policies), else its PasswordPolicy, else none.
// The answer is reused for the flow's lifetime (flowPolicyTTL at most);
// errors are never kept. Every rule shown and checked (the checklist, the
// passwordrules attribute, the live check, the submit, the proof budget)
// comes from here, so they cannot disagree.
func (s *Server) accountPolicy(ctx context.Context, f *flows.Flow) (directory.Policy, error) {
	now := s.now()
	s.policies.mu.Lock()
	if e, ok := s.policies.m[f.ID]; ok && e.account == f.Subject.AccountID && now.Before(e.until) {
		s.policies.mu.Unlock()
		return e.policy, nil
	}
	s.policies.mu.Unlock()

	var (
		pol directory.Policy
		err error
	)
	switch d := s.deps.Directory.(type) {
	case directory.AccountPolicyReader:
		pol, err = d.AccountPasswordPolicy(ctx, &directory.User{ID: f.Subject.AccountID, AccountName: f.Subject.AccountName})
	case directory.PolicyReader:
		pol, err = d.PasswordPolicy(ctx)
	default:
		return directory.Policy{}, nil
	}
	if err != nil {
		return directory.Policy{}, fmt.Errorf("webauth: read password policy: %w", err)
	}
	until := now.Add(flowPolicyTTL)
	if !f.ExpiresAt.IsZero() && f.ExpiresAt.Before(until) {
		until = f.ExpiresAt
	}
	s.policies.mu.Lock()
	defer s.policies.mu.Unlock()
	if s.policies.m == nil {
		s.policies.m = make(map[string]flowPolicy)
	}
	if len(s.policies.m) >= flowPolicyEntries {
		for id, e := range s.policies.m { // drop what expired, else everything
			if !now.Before(e.until) {
				delete(s.policies.m, id)
			}
		}
		if len(s.policies.m) >= flowPolicyEntries {
			clear(s.policies.m)
		}
	}
	s.policies.m[f.ID] = flowPolicy{account: f.Subject.AccountID, policy: pol, until: until}
	return pol, nil
}

// forgetPolicy drops the flow's remembered policy: called when the
// directory refused a password, which may mean the policy changed since it
// was read.
func (s *Server) forgetPolicy(flowID string) {
	s.policies.mu.Lock()
	delete(s.policies.m, flowID)
	s.policies.mu.Unlock()
}
