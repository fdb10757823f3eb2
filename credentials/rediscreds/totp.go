package rediscreds

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	"github.com/redis/go-redis/v9"

	"github.com/resetbot/resetbot/credentials"
)

// maxStep bounds the steps UseTOTPStep accepts to what a Lua number (a
// double) represents exactly; real steps (unix time / 30) are ~2^26.
const maxStep = 1 << 53

// TOTPSecret implements credentials.Store. A secret stored before the
// account id was kept beside it is re-sealed (under the current key) with
// the id as it is read, so RotateKey can handle it afterwards: the account
// id is the additional data, and the key only holds its hash. Secrets under
// a previous key are otherwise left to RotateKey, so only the operator's
// rotation moves keys.
func (s *Store) TOTPSecret(ctx context.Context, accountID string) (string, error) {
	k, err := s.keys(accountID)
	if err != nil {
		return "", err
	}
	vals, err := s.rdb.HMGet(ctx, k.totp, fieldSealed, fieldAccount).Result()
	if err != nil {
		return "", unavailable("read TOTP secret", err)
	}
	sealed, ok := vals[0].(string)
	if !ok {
		return "", credentials.ErrNotFound
	}
	secret, err := s.open(accountID, []byte(sealed))
	if err != nil {
		return "", err
	}
	if _, hasAccount := vals[1].(string); !hasAccount {
		// Best effort: the secret was read; a failed re-seal is retried on
		// the next read or by RotateKey.
		_, _ = s.reseal(ctx, k.totp, accountID, sealed, secret)
	}
	return secret, nil
}

// reseal seals secret under the current key and swaps it in if the stored
// value is still sealed; it reports whether it did.
func (s *Store) reseal(ctx context.Context, key, accountID, sealed, secret string) (bool, error) {
	fresh, err := s.seal(accountID, secret)
	if err != nil {
		return false, err
	}
	n, err := resealScript.Run(ctx, s.rdb, []string{key}, sealed, fresh, accountID).Int()
	if err != nil {
		return false, unavailable("re-seal TOTP secret", err)
	}
	return n == 1, nil
}

// SetTOTPSecret implements credentials.Store: the sealed secret replaces the
// whole totp hash in one MULTI, so the used-step memory of an older secret
// never outlives it.
func (s *Store) SetTOTPSecret(ctx context.Context, accountID, secret string) error {
	k, err := s.keys(accountID)
	if err != nil {
		return err
	}
	if secret == "" {
		return errors.New("rediscreds: empty TOTP secret")
	}
	sealed, err := s.seal(accountID, secret)
	if err != nil {
		return err
	}
	_, err = s.rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
		p.Del(ctx, k.totp)
		p.HSet(ctx, k.totp, fieldSealed, sealed, fieldAccount, accountID)
		return nil
	})
	if err != nil {
		return unavailable("store TOTP secret", err)
	}
	return nil
}

// RemoveTOTP implements credentials.Store.
func (s *Store) RemoveTOTP(ctx context.Context, accountID string) error {
	k, err := s.keys(accountID)
	if err != nil {
		return err
	}
	n, err := s.rdb.Del(ctx, k.totp).Result()
	if err != nil {
		return unavailable("remove TOTP secret", err)
	}
	if n == 0 {
		return credentials.ErrNotFound
	}
	return nil
}

// UseTOTPStep implements credentials.Store with one Lua script, so the
// compare and the write cannot interleave with another request.
func (s *Store) UseTOTPStep(ctx context.Context, accountID string, step int64) error {
	k, err := s.keys(accountID)
	if err != nil {
		return err
	}
	if step < 0 || step >= maxStep {
		return fmt.Errorf("rediscreds: TOTP step %d out of range", step)
	}
	res, err := useStepScript.Run(ctx, s.rdb, []string{k.totp}, strconv.FormatInt(step, 10)).Text()
	if err != nil {
		return unavailable("use TOTP step", err)
	}
	switch res {
	case "ok":
		return nil
	case "replay":
		return credentials.ErrReplay
	case "missing":
		return credentials.ErrNotFound
	}
	return fmt.Errorf("rediscreds: use TOTP step: unexpected script result %q", res)
}
