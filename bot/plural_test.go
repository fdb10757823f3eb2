package bot

import (
	"testing"
	"time"
)

func TestMinutesPlural(t *testing.T) {
	cases := []struct {
		d    time.Duration
		want string
	}{
		{20 * time.Second, "1 minute"},
		{time.Minute, "1 minute"},
		{89 * time.Second, "1 minute"},
		{2 * time.Minute, "2 minutes"},
		{10 * time.Minute, "10 minutes"},
	}
	for _, c := range cases {
		if got := minutes(c.d); got != c.want {
			t.Errorf("minutes(%s) = %q, want %q", c.d, got, c.want)
		}
	}
}
