package platform

import (
	"context"
	"sync/atomic"
	"testing"
	"time"
)

type ctxKey struct{}

func TestBackground(t *testing.T) {
	tests := []struct {
		name string
		// run is the background work; it reports what it saw.
		run  func(ctx context.Context, saw *atomic.Value)
		want string
	}{
		{
			name: "outlives the cancelled request",
			run: func(ctx context.Context, saw *atomic.Value) {
				if ctx.Err() == nil {
					saw.Store("alive")
				}
			},
			want: "alive",
		},
		{
			name: "keeps request values",
			run: func(ctx context.Context, saw *atomic.Value) {
				saw.Store(ctx.Value(ctxKey{}))
			},
			want: "trace-1",
		},
		{
			name: "has a deadline",
			run: func(ctx context.Context, saw *atomic.Value) {
				if _, ok := ctx.Deadline(); ok {
					saw.Store("bounded")
				}
			},
			want: "bounded",
		},
		{
			name: "ends at the timeout",
			run: func(ctx context.Context, saw *atomic.Value) {
				<-ctx.Done()
				saw.Store(ctx.Err().Error())
			},
			want: context.DeadlineExceeded.Error(),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := NewBackground(50 * time.Millisecond)
			req, cancel := context.WithCancel(context.WithValue(context.Background(), ctxKey{}, "trace-1"))
			cancel() // the request has been answered
			var saw atomic.Value
			b.Go(req, func(ctx context.Context) { tt.run(ctx, &saw) })
			b.Wait()
			if got, _ := saw.Load().(string); got != tt.want {
				t.Errorf("saw %q, want %q", got, tt.want)
			}
		})
	}
}

func TestBackgroundWaitsForAll(t *testing.T) {
	b := NewBackground(time.Minute)
	release := make(chan struct{})
	var done atomic.Int32
	for range 5 {
		b.Go(context.Background(), func(context.Context) {
			<-release
			done.Add(1)
		})
	}
	waited := make(chan struct{})
	go func() { b.Wait(); close(waited) }()
	select {
	case <-waited:
		t.Fatal("Wait returned while work was running")
	default:
	}
	close(release)
	<-waited
	if n := done.Load(); n != 5 {
		t.Errorf("Wait returned after %d of 5", n)
	}
}
