package platform_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/resetbot/resetbot/bot/platform"
)

func TestRetryAfter(t *testing.T) {
	now := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name, header string
		want         time.Duration
	}{
		{"seconds", "7", 7 * time.Second},
		{"seconds with spaces", " 30 ", 30 * time.Second},
		{"missing", "", time.Second},
		{"zero", "0", time.Second},
		{"negative", "-5", time.Second},
		{"fraction", "1.5", time.Second},
		{"garbage", "soon", time.Second},
		{"huge", "99999999999999999", 24 * time.Hour},
		{"http date", now.Add(42 * time.Second).Format(http.TimeFormat), 42 * time.Second},
		{"date in the past", now.Add(-time.Hour).Format(http.TimeFormat), time.Second},
		{"date far ahead", now.Add(1000 * time.Hour).Format(http.TimeFormat), 24 * time.Hour},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := platform.RetryAfter(tc.header, now); got != tc.want {
				t.Fatalf("RetryAfter(%q) = %s, want %s", tc.header, got, tc.want)
			}
		})
	}
}

// FuzzRetryAfter: any header gives a wait between one second and a day.
func FuzzRetryAfter(f *testing.F) {
	for _, s := range []string{"7", "", "-1", "Wed, 21 Oct 2015 07:28:00 GMT", "9223372036854775807"} {
		f.Add(s)
	}
	now := time.Date(2015, 10, 21, 7, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, h string) {
		if got := platform.RetryAfter(h, now); got < time.Second || got > 24*time.Hour {
			t.Fatalf("RetryAfter(%q) = %s", h, got)
		}
	})
}
