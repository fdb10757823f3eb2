package slack

import (
	"context"
	"reflect"
	"testing"
	"time"
)

// fakeClock drives a pacer without sleeping: sleeps are recorded and
// advance the clock.
type fakeClock struct {
	now    time.Time
	slept  []time.Duration
	cancel bool
}

func (c *fakeClock) install(p *pacer) {
	p.now = func() time.Time { return c.now }
	p.sleep = func(ctx context.Context, d time.Duration) error {
		c.slept = append(c.slept, d)
		if c.cancel {
			return context.Canceled
		}
		return nil
	}
}

func TestPacer(t *testing.T) {
	type step struct {
		advance time.Duration
		channel string
	}
	tests := []struct {
		name  string
		steps []step
		want  []time.Duration // the sleeps requested, in order
	}{
		{"first post goes at once", []step{{0, "C1"}}, nil},
		{"burst in one channel queues one per second", []step{{0, "C1"}, {0, "C1"}, {0, "C1"}}, []time.Duration{time.Second, 2 * time.Second}},
		{"channels are independent", []step{{0, "C1"}, {0, "C2"}, {0, "D1"}}, nil},
		{"slot partly elapsed", []step{{0, "C1"}, {400 * time.Millisecond, "C1"}}, []time.Duration{600 * time.Millisecond}},
		{"quiet channel starts fresh", []step{{0, "C1"}, {0, "C1"}, {5 * time.Second, "C1"}}, []time.Duration{time.Second}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := newPacer(time.Second)
			clock := &fakeClock{now: time.Unix(1700000000, 0)}
			clock.install(p)
			for _, s := range tt.steps {
				clock.now = clock.now.Add(s.advance)
				if err := p.wait(context.Background(), s.channel); err != nil {
					t.Fatal(err)
				}
			}
			if !reflect.DeepEqual(clock.slept, tt.want) {
				t.Errorf("slept %v, want %v", clock.slept, tt.want)
			}
		})
	}
}

func TestPacerGivesUpWithContext(t *testing.T) {
	p := newPacer(time.Second)
	clock := &fakeClock{now: time.Unix(1700000000, 0), cancel: true}
	clock.install(p)
	_ = p.wait(context.Background(), "C1")
	if err := p.wait(context.Background(), "C1"); err == nil {
		t.Error("a cancelled wait reported success")
	}
}

func TestPacerForgetsIdleChannels(t *testing.T) {
	p := newPacer(time.Second)
	clock := &fakeClock{now: time.Unix(1700000000, 0)}
	clock.install(p)
	for i := range 1100 {
		_ = p.wait(context.Background(), string(rune('A'+i%26))+time.Duration(i).String())
		clock.now = clock.now.Add(10 * time.Millisecond)
	}
	if len(p.next) > 1025 {
		t.Errorf("pacer remembers %d channels", len(p.next))
	}
}
