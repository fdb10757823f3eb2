package platform

import (
	"net/http"
	"strconv"
	"strings"
	"time"
)

// RetryAfter reads a Retry-After header (RFC 9110: a number of seconds, or
// an HTTP date) as the wait before the next attempt. Missing, odd, zero
// or past values mean one second, the usual pace of chat APIs, so a
// caller never retries at once in a loop. The header comes from the chat
// platform's answer; a hostile value can only make the wait long, which
// the caller's context bounds.
func RetryAfter(h string, now time.Time) time.Duration {
	h = strings.TrimSpace(h)
	if n, err := strconv.ParseInt(h, 10, 64); err == nil {
		if n < 1 {
			return time.Second
		}
		return time.Duration(min(n, maxRetryAfter)) * time.Second
	}
	if t, err := http.ParseTime(h); err == nil && t.Sub(now) >= time.Second {
		return min(t.Sub(now).Round(time.Second), maxRetryAfter*time.Second)
	}
	return time.Second
}

// maxRetryAfter caps the wait (in seconds) so no header overflows a
// time.Duration: a day is beyond any platform's rate-limit window.
const maxRetryAfter = 24 * 60 * 60
