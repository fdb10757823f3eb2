package storetest

import (
	"sync"
	"sync/atomic"
	"testing"
)

// wins runs try from n goroutines at once and counts the true results: the
// shape of every "exactly k of n concurrent callers succeed" check.
func wins(t *testing.T, n int, try func() (bool, error)) int32 {
	t.Helper()
	var won atomic.Int32
	var wg sync.WaitGroup
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ok, err := try()
			if err != nil {
				t.Errorf("concurrent call: %v", err)
			}
			if ok {
				won.Add(1)
			}
		}()
	}
	wg.Wait()
	return won.Load()
}
