package platform_test

import (
	"net/http"
	"net/http/httptest"
	"reflect"
	"sync"
	"testing"

	"github.com/resetbot/resetbot/bot/platform"
)

// countingMeter records what a CallMeter is told.
type countingMeter struct {
	mu  sync.Mutex
	got map[string]int
}

func (m *countingMeter) ChatCall(platformName, outcome string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.got[platformName+" "+outcome]++
}

// TestCallMeterCountsEveryCall: a client built with WithCallMeter counts
// each call of the platform by outcome (ok, rate_limited for a 429, error
// for a 5xx and for no answer at all), and the client keeps its timeout.
func TestCallMeterCountsEveryCall(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/429":
			w.Header().Set("Retry-After", "1")
			w.WriteHeader(http.StatusTooManyRequests)
		case "/500":
			w.WriteHeader(http.StatusInternalServerError)
		}
	}))
	m := &countingMeter{got: map[string]int{}}
	base := &http.Client{Timeout: 7e9}
	o := platform.Apply(platform.Options[struct{}]{Client: base}, []platform.Option[struct{}]{platform.WithCallMeter[struct{}]("slack", m)})
	if o.Client == base || o.Client.Timeout != base.Timeout {
		t.Fatalf("metered client = %+v; want a copy with the same timeout", o.Client)
	}
	for _, p := range []string{"/ok", "/ok", "/429", "/500"} {
		resp, err := o.Client.Get(srv.URL + p)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	srv.Close()
	if _, err := o.Client.Get(srv.URL + "/ok"); err == nil {
		t.Fatal("a closed server answered")
	}
	want := map[string]int{"slack ok": 2, "slack rate_limited": 1, "slack error": 2}
	if !reflect.DeepEqual(m.got, want) {
		t.Errorf("counted %v, want %v", m.got, want)
	}
}
