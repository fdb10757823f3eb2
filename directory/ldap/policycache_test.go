package ldap

import (
	"context"
	"errors"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/resetbot/resetbot/directory"
)

// TestPolicyCache: the policy is read once while fresh, again after
// policyTTL or an invalidation, never kept when the read failed, and
// concurrent callers share the one read in flight.
func TestPolicyCache(t *testing.T) {
	var reads atomic.Int32
	fail := false
	now := time.Date(2026, 12, 3, 8, 0, 0, 0, time.UTC)
	pc := newPolicyCache(func(context.Context) (directory.Policy, error) {
		n := reads.Add(1)
		if fail {
			return directory.Policy{}, errors.New("directory down")
		}
		return directory.Policy{MinLength: int(n)}, nil
	})
	pc.now = func() time.Time { return now }
	ctx := context.Background()
	get := func(wantLen int, wantReads int32) {
		t.Helper()
		p, err := pc.get(ctx)
		if err != nil || p.MinLength != wantLen || reads.Load() != wantReads {
			t.Fatalf("get = %+v, %v after %d reads; want MinLength %d after %d", p, err, reads.Load(), wantLen, wantReads)
		}
	}
	get(1, 1)
	get(1, 1)
	now = now.Add(policyTTL - time.Second)
	get(1, 1)
	now = now.Add(time.Second)
	get(2, 2) // expired
	pc.invalidate()
	get(3, 3)
	fail = true
	pc.invalidate()
	if _, err := pc.get(ctx); err == nil {
		t.Fatal("a failed read returned no error")
	}
	fail = false
	get(5, 5) // the failure was not kept

	// A read that started before an invalidation is not kept.
	pc.invalidate()
	pc.read = func(context.Context) (directory.Policy, error) {
		reads.Add(1)
		pc.invalidate()
		return directory.Policy{MinLength: 99}, nil
	}
	if p, _ := pc.get(ctx); p.MinLength != 99 || pc.valid {
		t.Fatalf("get = %+v, kept %v: a read overtaken by an invalidation must not be kept", p, pc.valid)
	}

	// Concurrent callers while a read is in flight wait for it.
	release := make(chan struct{})
	var slow atomic.Int32
	pc.read = func(context.Context) (directory.Policy, error) {
		slow.Add(1)
		<-release
		return directory.Policy{MinLength: 7}, nil
	}
	pc.invalidate()
	var wg sync.WaitGroup
	results := make(chan int, 9)
	wg.Add(1)
	go func() {
		defer wg.Done()
		p, _ := pc.get(ctx)
		results <- p.MinLength
	}()
	for {
		pc.mu.Lock()
		inFlight := pc.pending != nil
		pc.mu.Unlock()
		if inFlight {
			break
		}
		runtime.Gosched()
	}
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			p, _ := pc.get(ctx)
			results <- p.MinLength
		}()
	}
	close(release)
	wg.Wait()
	close(results)
	for n := range results {
		if n != 7 {
			t.Errorf("a concurrent caller got MinLength %d, want 7", n)
		}
	}
	if slow.Load() != 1 {
		t.Errorf("%d reads for 9 concurrent callers, want 1", slow.Load())
	}
}
