package ldap

import (
	"context"
	"sync"
	"time"

	"github.com/resetbot/resetbot/directory"
)

// policyTTL is how long a read password policy is reused. A reset reads
// the policy three times within seconds (the password page, the live
// check, the submit), and on OpenLDAP without password_policy_dn one read
// is a rootDSE read, a search per naming context and the entry itself. A
// policy changes rarely, and what is shown from it is advice: the
// directory still checks every password it is sent, and a refusal clears
// the cache (see policyCache.invalidate).
const policyTTL = 60 * time.Second

// policyCache remembers the last policy read for policyTTL, and lets
// concurrent callers share one read instead of each sending their own.
// Errors are never remembered: the next caller asks the directory again.
type policyCache struct {
	read func(ctx context.Context) (directory.Policy, error)
	now  func() time.Time

	mu      sync.Mutex
	policy  directory.Policy
	readAt  time.Time
	valid   bool
	gen     uint64        // bumped by invalidate; a read begun before it is not kept
	pending chan struct{} // closed when the read in flight finishes
}

func newPolicyCache(read func(ctx context.Context) (directory.Policy, error)) *policyCache {
	return &policyCache{read: read, now: time.Now}
}

// get returns the cached policy while it is fresh, or reads it.
func (pc *policyCache) get(ctx context.Context) (directory.Policy, error) {
	for {
		pc.mu.Lock()
		if pc.valid && pc.now().Sub(pc.readAt) < policyTTL {
			p := pc.policy
			pc.mu.Unlock()
			return p, nil
		}
		if wait := pc.pending; wait != nil {
			pc.mu.Unlock()
			select {
			case <-wait:
				continue // the read finished: use it, or read ourselves if it failed
			case <-ctx.Done():
				return directory.Policy{}, classify("read password policy", ctx.Err())
			}
		}
		done := make(chan struct{})
		pc.pending, pc.valid = done, false
		gen := pc.gen
		pc.mu.Unlock()

		p, err := pc.read(ctx)

		pc.mu.Lock()
		pc.pending = nil
		if err == nil && gen == pc.gen {
			pc.policy, pc.readAt, pc.valid = p, pc.now(), true
		}
		pc.mu.Unlock()
		close(done)
		return p, err
	}
}

// invalidate forgets the cached policy, so the next get reads it again:
// called when the directory refused a password, which may mean the
// policy changed since it was read.
func (pc *policyCache) invalidate() {
	pc.mu.Lock()
	pc.valid = false
	pc.gen++
	pc.mu.Unlock()
}
