package rediscreds

import (
	"context"
	"strings"
)

// RotateReport counts what a key rotation found, one TOTP secret each.
type RotateReport struct {
	// Rotated were re-sealed under the current key by this run.
	Rotated int
	// Current were sealed under the current key already (by an earlier,
	// interrupted run, another rotation at the same time, or enrolled since
	// the new key is in use).
	Current int
	// Waiting were sealed before the store kept the account id beside the
	// secret, so only a read by the account re-seals them (its next TOTP
	// verification); the previous key must stay configured until Waiting is 0.
	Waiting int
	// Unreadable do not open under any configured key (or sit under another
	// account's key); the user must re-enrol. They are left untouched.
	Unreadable int
}

// Done reports whether no TOTP secret needs a previous key any more, so it
// can be removed from the configuration.
func (r RotateReport) Done() bool { return r.Waiting == 0 && r.Unreadable == 0 }

// RotateKey re-seals every TOTP secret that is not sealed under the current
// key (Options.Key) with it, while the service keeps running: every
// replica must already list the old key in PreviousKeys and the new one as
// Key, so whatever a secret is sealed under, it reads back. Each swap is a
// compare-and-set on the sealed value, so two rotations at once, or a
// rotation racing a re-enrolment or a read that re-seals, never lose a
// secret or its used-step memory. The key id in each sealed value is the
// progress marker: a rotation that is interrupted (the context ends, the
// process dies) is resumed by running it again, which skips what is done.
// On an error it returns the counts so far.
func (s *Store) RotateKey(ctx context.Context) (RotateReport, error) {
	var r RotateReport
	err := s.eachKey(ctx, ":cred:*:totp", func(key string) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		return s.rotateOne(ctx, key, &r)
	})
	return r, err
}

func (s *Store) rotateOne(ctx context.Context, key string, r *RotateReport) error {
	for {
		vals, err := s.rdb.HMGet(ctx, key, fieldSealed, fieldAccount).Result()
		if err != nil {
			return unavailable("read TOTP secret", err)
		}
		sealed, ok := vals[0].(string)
		if !ok {
			return nil // removed since the scan
		}
		if s.sealer.IsCurrent([]byte(sealed)) {
			r.Current++
			return nil
		}
		account, ok := vals[1].(string)
		if !ok {
			r.Waiting++
			return nil
		}
		own, err := s.keys(account)
		if err != nil || own.totp != key || !strings.HasPrefix(key, s.prefix+":") {
			r.Unreadable++ // an account id that is not this key's
			return nil
		}
		secret, err := s.open(account, []byte(sealed))
		if err != nil {
			r.Unreadable++
			return nil
		}
		swapped, err := s.reseal(ctx, key, account, sealed, secret)
		if err != nil {
			return err
		}
		if swapped {
			r.Rotated++
			return nil
		}
		// Changed under us (re-enrolled, re-sealed by a read or another
		// rotation): look again.
		if err := ctx.Err(); err != nil {
			return err
		}
	}
}
