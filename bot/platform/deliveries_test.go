package platform_test

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/resetbot/resetbot/bot/bottest"
	"github.com/resetbot/resetbot/bot/platform"
)

// brokenOnce is a shared memory that cannot be reached.
type brokenOnce struct{}

func (brokenOnce) First(context.Context, string, time.Duration) (bool, error) {
	return false, errors.New("connection refused")
}

func TestDeliveries(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name       string
		acks       int
		answer     []byte // given to the first delivery
		wantReplay []byte // what the redelivery gets
	}{
		{"redelivery replays the first answer", 8, []byte(`{"text":"first"}`), []byte(`{"text":"first"}`)},
		{"no answer remembered", 8, nil, nil},
		{"platform without replay", 0, []byte(`{"text":"first"}`), nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := platform.NewDeliveries(&bottest.MemOnce{}, time.Minute, tc.acks, nil)
			first, replay, err := d.First(ctx, "p:1")
			if err != nil || !first || replay != nil {
				t.Fatalf("first delivery: %v %q %v", first, replay, err)
			}
			if tc.answer != nil {
				d.Answered("p:1", tc.answer)
			}
			for i := 0; i < 2; i++ {
				first, replay, err = d.First(ctx, "p:1")
				if err != nil || first || string(replay) != string(tc.wantReplay) {
					t.Fatalf("redelivery %d: first %v replay %q %v; want %q", i, first, replay, err, tc.wantReplay)
				}
			}
			if first, _, _ := d.First(ctx, "p:2"); !first {
				t.Fatal("another delivery id counted as a redelivery")
			}
		})
	}
}

// TestDeliveriesUnavailable: without the shared memory nothing is first,
// and the error asks the platform to retry.
func TestDeliveriesUnavailable(t *testing.T) {
	d := platform.NewDeliveries(brokenOnce{}, time.Minute, 8, nil)
	first, _, err := d.First(context.Background(), "p:1")
	if first || platform.ProblemOf(err).Status != http.StatusServiceUnavailable {
		t.Fatalf("first %v err %v, want a 503 problem", first, err)
	}
}
