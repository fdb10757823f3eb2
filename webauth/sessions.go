package webauth

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/resetbot/resetbot/flows"
)

// ceremonyTTL is how long a WebAuthn ceremony or a pending TOTP enrollment
// may take between its two requests.
const ceremonyTTL = 5 * time.Minute

// errNoCeremony: the finish request has no matching begin (expired, used,
// or never started).
var errNoCeremony = errors.New("webauth: no ceremony in progress")

// sessionStore keeps short-lived server-side state in Redis, keyed by flow:
// the WebAuthn SessionData between begin and finish (the challenge must not
// live in the client) and a TOTP secret, sealed, between "show QR" and
// "confirm".
// Keys carry the flow's hash tag, so they sit beside the flow in a cluster.
type sessionStore struct {
	rdb    redis.UniversalClient
	prefix string
}

func (s *sessionStore) key(kind, flowID string) string {
	return fmt.Sprintf("%s:{%s}:%s", s.prefix, flowID, kind)
}

// put stores v under kind for the flow, replacing an earlier one.
func (s *sessionStore) put(ctx context.Context, kind, flowID string, v any, ttl time.Duration) error {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("webauth: encode %s: %w", kind, err)
	}
	if err := s.rdb.Set(ctx, s.key(kind, flowID), b, ttl).Err(); err != nil {
		return fmt.Errorf("%w: save %s: %w", flows.ErrStoreUnavailable, kind, err)
	}
	return nil
}

// take reads and deletes the value in one step, so each ceremony can be
// finished at most once.
func (s *sessionStore) take(ctx context.Context, kind, flowID string, v any) error {
	b, err := s.rdb.GetDel(ctx, s.key(kind, flowID)).Bytes()
	if errors.Is(err, redis.Nil) {
		return errNoCeremony
	}
	if err != nil {
		return fmt.Errorf("%w: read %s: %w", flows.ErrStoreUnavailable, kind, err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("webauth: decode %s: %w", kind, err)
	}
	return nil
}

// get reads the value without deleting it.
func (s *sessionStore) get(ctx context.Context, kind, flowID string, v any) error {
	b, err := s.rdb.Get(ctx, s.key(kind, flowID)).Bytes()
	if errors.Is(err, redis.Nil) {
		return errNoCeremony
	}
	if err != nil {
		return fmt.Errorf("%w: read %s: %w", flows.ErrStoreUnavailable, kind, err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("webauth: decode %s: %w", kind, err)
	}
	return nil
}

// del forgets a value.
func (s *sessionStore) del(ctx context.Context, kind, flowID string) error {
	if err := s.rdb.Del(ctx, s.key(kind, flowID)).Err(); err != nil {
		return fmt.Errorf("%w: delete %s: %w", flows.ErrStoreUnavailable, kind, err)
	}
	return nil
}
