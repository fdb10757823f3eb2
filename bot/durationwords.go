package bot

import (
	"time"

	"github.com/resetbot/resetbot/internal/i18n"
)

// durationWords is d as people say a span of time, in l: the largest unit
// they count in (minutes under an hour, hours under two days, days
// beyond), with the next unit when it is not zero ("1 hour 30 minutes",
// "3 days 4 hours"), each with its plural; under a minute, "less than a
// minute". Go's "24h0m0s" is for logs, not for people.
func durationWords(l i18n.Lang, d time.Duration) string {
	const day = 24 * time.Hour
	switch {
	case d < time.Minute:
		return l.T("chat.duration.under_minute")
	case d < time.Hour:
		return l.N("chat.minutes", int(d/time.Minute))
	case d < 2*day:
		return unitPair(l, l.N("chat.duration.hours", int(d/time.Hour)), "chat.minutes", int(d%time.Hour/time.Minute))
	}
	return unitPair(l, l.N("chat.duration.days", int(d/day)), "chat.duration.hours", int(d%day/time.Hour))
}

// unitPair is larger followed by n of the smaller unit, or larger alone
// when n is zero.
func unitPair(l i18n.Lang, larger, smallerID string, n int) string {
	if n == 0 {
		return larger
	}
	return l.T("chat.duration.pair", "Larger", larger, "Smaller", l.N(smallerID, n))
}
