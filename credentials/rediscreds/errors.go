package rediscreds

import (
	"fmt"

	"github.com/resetbot/resetbot/credentials"
)

// unavailable marks a Redis failure as credentials.ErrUnavailable while
// keeping the cause (connection refused, timeout, cluster down) for the log.
// Redis errors never contain values we sent, so no secret leaks through it.
func unavailable(op string, err error) error {
	return fmt.Errorf("rediscreds: %s: %w: %w", op, credentials.ErrUnavailable, err)
}
