package platform

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"runtime"
	"testing"
	"time"
)

var t0 = time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)

type limited time.Duration

func (l limited) Error() string             { return "rate limited" }
func (l limited) RetryAfter() time.Duration { return time.Duration(l) }

// until polls a condition of the pacer's own state (waiters queued, a
// timer set); the real-time bound only turns a hang into a failure.
func until(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("never: %s", what)
		}
		runtime.Gosched()
	}
}

// run is a post that reports its name and the clock when it runs.
type run struct {
	name string
	at   time.Duration
}

func recorder(c *ManualClock, ran chan run, name string, errs ...error) func(context.Context) error {
	n := 0
	return func(context.Context) error {
		ran <- run{name, c.Now().Sub(t0)}
		n++
		if n <= len(errs) {
			return errs[n-1]
		}
		return nil
	}
}

// step lets the next due post run: it waits for the pacer's timer, moves
// the clock to it and returns the post that ran.
func step(t *testing.T, c *ManualClock, ran chan run, d time.Duration) run {
	t.Helper()
	until(t, "a timer for the next slot", func() bool { return c.Timers() > 0 })
	c.Advance(d)
	select {
	case r := <-ran:
		return r
	case <-time.After(10 * time.Second):
		t.Fatal("no post ran after the slot came")
		return run{}
	}
}

func TestPacerUrgentGoesFirst(t *testing.T) {
	c := NewManualClock(t0)
	p := NewPacer(time.Second, WithClock(c))
	ran := make(chan run, 16)
	ctx := context.Background()
	if err := p.Post(ctx, "C1", false, recorder(c, ran, "first")); err != nil {
		t.Fatal(err)
	}
	<-ran
	done := make(chan error, 8)
	queue := func(name string, urgent bool) {
		n := p.Waiting("C1")
		go func() { done <- p.Post(ctx, "C1", urgent, recorder(c, ran, name)) }()
		until(t, name+" queued", func() bool { return p.Waiting("C1") == n+1 })
	}
	for i := 1; i <= 3; i++ {
		queue(fmt.Sprintf("info%d", i), false)
	}
	queue("approval", true)
	queue("info4", false)
	queue("approval2", true)
	var order []string
	for i := 0; i < 6; i++ {
		order = append(order, step(t, c, ran, 1100*time.Millisecond).name)
	}
	want := []string{"approval", "approval2", "info1", "info2", "info3", "info4"}
	if !reflect.DeepEqual(order, want) {
		t.Errorf("order %v, want %v", order, want)
	}
	for i := 0; i < 6; i++ {
		if err := <-done; err != nil {
			t.Error(err)
		}
	}
	if n := p.Waiting("C1"); n != 0 {
		t.Errorf("%d still waiting", n)
	}
}

func TestPacerSpacing(t *testing.T) {
	c := NewManualClock(t0)
	p := NewPacer(time.Second, WithClock(c))
	ran := make(chan run, 16)
	done := make(chan error, 4)
	for i := 0; i < 3; i++ {
		name := fmt.Sprintf("post%d", i)
		n := p.Waiting("C1")
		go func() { done <- p.Post(context.Background(), "C1", false, recorder(c, ran, name)) }()
		if i == 0 {
			<-ran
			continue
		}
		until(t, name+" queued", func() bool { return p.Waiting("C1") == n+1 })
	}
	// The clock jumps to each timer the pacer sets: a post runs when its
	// slot comes, so a slot earlier than interval plus margin would show.
	var got []time.Duration
	for len(got) < 2 {
		until(t, "a timer", func() bool { return c.Timers() > 0 })
		d, _ := c.UntilNext()
		got = append(got, step(t, c, ran, d).at)
	}
	want := []time.Duration{1100 * time.Millisecond, 2200 * time.Millisecond}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("posts ran at %v, want %v: the interval plus a ten percent margin", got, want)
	}
}

// TestPacerOneInFlight: a slow API call holds the channel: the next post
// starts a whole interval after its answer came, not when the interval
// since its start is over (the platform may have accepted it just before
// answering).
func TestPacerOneInFlight(t *testing.T) {
	c := NewManualClock(t0)
	p := NewPacer(time.Second, WithClock(c))
	ran := make(chan run, 16)
	finish := make(chan struct{})
	done := make(chan error, 2)
	go func() {
		done <- p.Post(context.Background(), "C1", false, func(context.Context) error {
			ran <- run{"slow", c.Now().Sub(t0)}
			<-finish
			return nil
		})
	}()
	<-ran
	go func() { done <- p.Post(context.Background(), "C1", false, recorder(c, ran, "next")) }()
	until(t, "next queued", func() bool { return p.Waiting("C1") == 1 })
	c.Advance(1500 * time.Millisecond) // the interval passes; the call has not returned
	select {
	case r := <-ran:
		t.Fatalf("%q ran while the previous post was in flight", r.name)
	default:
	}
	c.Advance(500 * time.Millisecond)
	close(finish)
	until(t, "the slot after the slow answer", func() bool { return c.Timers() > 0 })
	if d, _ := c.UntilNext(); d != time.Second {
		t.Errorf("next slot %s after the slow answer, want the interval (1s)", d)
	}
	c.Advance(time.Second)
	select {
	case r := <-ran:
		if r.at != 3*time.Second {
			t.Errorf("next post ran at %s, want one interval after the slow one ended (3s)", r.at)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the next post never ran")
	}
	for i := 0; i < 2; i++ {
		if err := <-done; err != nil {
			t.Error(err)
		}
	}
}

// TestPacerRetryAfter: a post the platform refused with a short
// Retry-After pauses the channel and is sent again first, once accepted
// never again; a long one is returned and still pauses the channel.
func TestPacerRetryAfter(t *testing.T) {
	c := NewManualClock(t0)
	p := NewPacer(time.Second, WithClock(c))
	ran := make(chan run, 16)
	ctx := context.Background()
	done := make(chan error, 2)
	go func() { done <- p.Post(ctx, "C1", false, recorder(c, ran, "refused once", limited(3*time.Second))) }()
	if r := <-ran; r.at != 0 {
		t.Fatalf("first attempt at %s", r.at)
	}
	until(t, "channel paused", func() bool { return c.Timers() > 0 })
	n := p.Waiting("C1")
	go func() { done <- p.Post(ctx, "C1", false, recorder(c, ran, "next")) }()
	until(t, "next queued", func() bool { return p.Waiting("C1") == n+1 })
	got := []run{step(t, c, ran, 3*time.Second), step(t, c, ran, 1100*time.Millisecond)}
	want := []run{{"refused once", 3 * time.Second}, {"next", 4100 * time.Millisecond}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("runs %v, want %v", got, want)
	}
	for i := 0; i < 2; i++ {
		if err := <-done; err != nil {
			t.Errorf("post: %v", err)
		}
	}
	select {
	case r := <-ran:
		t.Errorf("%q ran again after it was accepted", r.name)
	default:
	}

	err := p.Post(ctx, "C2", false, recorder(c, ran, "told to wait a minute", limited(time.Minute)))
	var ra retryAfter
	if !errors.As(err, &ra) || ra.RetryAfter() != time.Minute {
		t.Fatalf("long Retry-After: err = %v, want it returned", err)
	}
	<-ran
	go func() { done <- p.Post(ctx, "C2", false, recorder(c, ran, "after the minute")) }()
	until(t, "queued behind the pause", func() bool { return p.Waiting("C2") == 1 })
	start := c.Now()
	if r := step(t, c, ran, time.Minute); r.at != start.Add(time.Minute).Sub(t0) {
		t.Errorf("post after a long pause ran at %s", r.at)
	}
	if err := <-done; err != nil {
		t.Error(err)
	}
}

func TestPacerChannelsAndCancellation(t *testing.T) {
	c := NewManualClock(t0)
	p := NewPacer(time.Second, WithClock(c))
	ran := make(chan run, 16)
	for _, ch := range []string{"C1", "C2", "D1"} {
		if err := p.Post(context.Background(), ch, false, recorder(c, ran, ch)); err != nil {
			t.Fatal(err)
		}
		<-ran
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- p.Post(ctx, "C1", false, recorder(c, ran, "cancelled")) }()
	until(t, "queued", func() bool { return p.Waiting("C1") == 1 })
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled wait = %v", err)
	}
	if p.Waiting("C1") != 0 {
		t.Error("a cancelled post still waits")
	}
	go func() { done <- p.Post(context.Background(), "C1", false, recorder(c, ran, "after")) }()
	if r := step(t, c, ran, 1100*time.Millisecond); r.name != "after" {
		t.Errorf("%q ran, want the post queued after the cancelled one", r.name)
	}
	if err := <-done; err != nil {
		t.Error(err)
	}
}

func TestPacerForgetsIdleChannels(t *testing.T) {
	c := NewManualClock(t0)
	p := NewPacer(time.Second, WithClock(c))
	for i := 0; i < 3000; i++ {
		if err := p.Post(context.Background(), fmt.Sprintf("D%d", i), false, func(context.Context) error { return nil }); err != nil {
			t.Fatal(err)
		}
		c.Advance(10 * time.Millisecond)
	}
	if n := len(p.chans); n > maxIdleChannels+1 {
		t.Errorf("pacer remembers %d channels", n)
	}
}

func TestPacerOff(t *testing.T) {
	p := NewPacer(0)
	calls := 0
	err := p.Post(context.Background(), "C1", false, func(context.Context) error { calls++; return limited(time.Second) })
	if calls != 1 || err == nil {
		t.Errorf("unpaced: %d calls, err %v; want one call and the error returned", calls, err)
	}
}
