package rediscreds_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"
	"github.com/redis/go-redis/v9"

	"github.com/resetbot/resetbot/credentials"
	"github.com/resetbot/resetbot/credentials/rediscreds"
	"github.com/resetbot/resetbot/credentials/seal"
	verify "github.com/resetbot/resetbot/webauth/totp"
)

var newKey = bytes.Repeat([]byte{0x17}, rediscreds.KeySize)

// rotatingStore is a store as every replica runs during a rotation: the
// new key seals, the old one still opens.
func rotatingStore(t *testing.T, rdb redis.UniversalClient, prefix string) *rediscreds.Store {
	t.Helper()
	st, err := rediscreds.New(rdb, rediscreds.Options{Prefix: prefix, Key: newKey, PreviousKeys: [][]byte{testKey}})
	if err != nil {
		t.Fatal(err)
	}
	return st
}

// enrolled stores n TOTP secrets under the old key, returning account ids
// and their secrets.
func enrolled(t *testing.T, old *rediscreds.Store, n int) ([]string, map[string]string) {
	t.Helper()
	ctx := context.Background()
	accounts := make([]string, n)
	secrets := map[string]string{}
	for i := range accounts {
		accounts[i] = fmt.Sprintf("acct-%03d", i)
		s, _, err := verify.Generate("resetbot", accounts[i])
		if err != nil {
			t.Fatal(err)
		}
		if err := old.SetTOTPSecret(ctx, accounts[i], s); err != nil {
			t.Fatal(err)
		}
		secrets[accounts[i]] = s
	}
	return accounts, secrets
}

// sealedBy reads which key sealed an account's secret.
func sealedBy(t *testing.T, rdb redis.UniversalClient, prefix, account string) []byte {
	t.Helper()
	c := dump(t, rdb, keyOf(prefix, account, "totp"))["c"]
	id, ok := seal.SealedBy([]byte(c))
	if !ok {
		t.Fatalf("%s: the sealed secret names no key", account)
	}
	return id[:]
}

func TestRotateKeyUnderLoadRedisServer(t *testing.T) { rotateUnderLoad(t, serverClient(t)) }

func TestRotateKeyUnderLoadRedisCluster(t *testing.T) { rotateUnderLoad(t, clusterClient(t)) }

// rotateUnderLoad: while a verifier checks TOTP codes of every account
// without pause (reading the secret as the web app does, checking a fresh
// code, recording a step), two rotations run at once, as two replicas'
// operators might. No verification fails, every secret ends under the new
// key with its used-step memory intact, and a second run finds nothing to do.
func rotateUnderLoad(t *testing.T, rdb redis.UniversalClient) {
	ctx := context.Background()
	p := prefix()
	accounts, secrets := enrolled(t, newStore(t, rdb, p, testKey), 40)
	st := rotatingStore(t, rdb, p)
	other := rotatingStore(t, rdb, p)
	var verified, failed atomic.Int64
	var steps sync.Map // account -> last step used
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			a := accounts[i%len(accounts)]
			if err := verifyOnce(ctx, st, a, secrets[a], &steps); err != nil {
				failed.Add(1)
				t.Errorf("verification of %s during the rotation: %v", a, err)
				continue
			}
			verified.Add(1)
		}
	}()
	// Let the verifier run before the rotation starts, too.
	for verified.Load() < int64(len(accounts)) && failed.Load() == 0 {
		time.Sleep(time.Millisecond)
	}
	var reports [2]rediscreds.RotateReport
	var errs [2]error
	var rot sync.WaitGroup
	for i, s := range []*rediscreds.Store{st, other} {
		rot.Add(1)
		go func() {
			defer rot.Done()
			reports[i], errs[i] = s.RotateKey(ctx)
		}()
	}
	rot.Wait()
	before := verified.Load()
	for verified.Load() < before+int64(len(accounts)) && failed.Load() == 0 {
		time.Sleep(time.Millisecond)
	}
	close(stop)
	wg.Wait()

	for i, err := range errs {
		if err != nil {
			t.Fatalf("rotation %d: %v", i, err)
		}
	}
	if n := failed.Load(); n != 0 {
		t.Fatalf("%d verifications failed during the rotation (of %d)", n, verified.Load()+n)
	}
	t.Logf("%d verifications during the rotation, none failed; reports %+v %+v", verified.Load(), reports[0], reports[1])
	for _, r := range reports {
		if !r.Done() || r.Rotated+r.Current != len(accounts) {
			t.Fatalf("report %+v: want all %d accounts rotated or current", r, len(accounts))
		}
	}
	if n := reports[0].Rotated + reports[1].Rotated; n != len(accounts) {
		t.Fatalf("the two rotations re-sealed %d secrets in all, want each of the %d once", n, len(accounts))
	}
	want, _ := seal.New(newKey)
	for _, a := range accounts {
		if got := sealedBy(t, rdb, p, a); !bytes.Equal(got, func() []byte { id := want.Current(); return id[:] }()) {
			t.Fatalf("%s is sealed under %x, want the new key", a, got)
		}
	}
	newOnly := newStore(t, rdb, p, newKey)
	for _, a := range accounts {
		if got, err := newOnly.TOTPSecret(ctx, a); err != nil || got != secrets[a] {
			t.Fatalf("%s under the new key alone: %v", a, err)
		}
		last, _ := steps.Load(a)
		if err := newOnly.UseTOTPStep(ctx, a, last.(int64)); !errors.Is(err, credentials.ErrReplay) {
			t.Fatalf("%s: the used-step memory did not survive the rotation: %v", a, err)
		}
	}
	again, err := st.RotateKey(ctx)
	if err != nil || again.Rotated != 0 || again.Current != len(accounts) {
		t.Fatalf("second rotation = %+v, %v; want all %d already current", again, err, len(accounts))
	}
}

// verifyOnce is a verification as the web app does it: read the secret,
// check the user's current code, record a step that was not used before.
func verifyOnce(ctx context.Context, st *rediscreds.Store, account, want string, steps *sync.Map) error {
	secret, err := st.TOTPSecret(ctx, account)
	if err != nil {
		return err
	}
	if secret != want {
		return errors.New("read back another secret")
	}
	now := time.Now()
	code, err := totp.GenerateCode(secret, now)
	if err != nil {
		return err
	}
	if _, ok := verify.Verify(secret, code, now); !ok {
		return errors.New("the current code did not verify")
	}
	// A step past every step used so far: the replay memory must keep
	// working through the rotation.
	var next int64 = 1
	if last, ok := steps.Load(account); ok {
		next = last.(int64) + 1
	}
	if err := st.UseTOTPStep(ctx, account, next); err != nil {
		return fmt.Errorf("use step %d: %w", next, err)
	}
	steps.Store(account, next)
	return nil
}

// TestRotateKeyResumesRedisServer: a rotation interrupted part-way (its
// context ends, as on Ctrl-C or a killed pod) leaves every secret readable,
// some under each key; running it again finishes it, skipping what was done.
func TestRotateKeyResumesRedisServer(t *testing.T) {
	rdb := serverClient(t)
	p := prefix()
	accounts, secrets := enrolled(t, newStore(t, rdb, p, testKey), 30)
	st := rotatingStore(t, rdb, p)

	// Interrupt after the 10th re-seal: cancel from the Redis hook that
	// sees the re-seal scripts go by.
	ctx, cancel := context.WithCancel(context.Background())
	var reseals atomic.Int64
	counting := redis.NewClient(&redis.Options{Addr: rdb.(*redis.Client).Options().Addr})
	t.Cleanup(func() { counting.Close() })
	counting.AddHook(afterScript{fn: func() {
		if reseals.Add(1) == 10 {
			cancel()
		}
	}})
	first, err := rotatingStore(t, counting, p).RotateKey(ctx)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("interrupted rotation = %+v, %v; want context.Canceled", first, err)
	}
	if first.Rotated != 10 {
		t.Fatalf("interrupted rotation = %+v; want 10 re-sealed when it stopped", first)
	}
	for _, a := range accounts {
		if got, err := st.TOTPSecret(context.Background(), a); err != nil || got != secrets[a] {
			t.Fatalf("%s after the interruption: %v", a, err)
		}
	}
	r, err := st.RotateKey(context.Background())
	if err != nil || !r.Done() || r.Current != first.Rotated || r.Rotated != len(accounts)-first.Rotated {
		t.Fatalf("resumed rotation = %+v, %v; want the %d done before skipped and the other %d re-sealed", r, err, first.Rotated, len(accounts)-first.Rotated)
	}
	newOnly := newStore(t, rdb, p, newKey)
	for _, a := range accounts {
		if got, err := newOnly.TOTPSecret(context.Background(), a); err != nil || got != secrets[a] {
			t.Fatalf("%s under the new key alone after the resume: %v", a, err)
		}
	}
}

// afterScript calls fn after each successful EVALSHA/EVAL that re-seals
// (three arguments after the key: the re-seal script's shape).
type afterScript struct{ fn func() }

func (afterScript) DialHook(next redis.DialHook) redis.DialHook { return next }

func (h afterScript) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		err := next(ctx, cmd)
		name := cmd.Name()
		if err == nil && (name == "evalsha" || name == "eval") && len(cmd.Args()) == 7 {
			h.fn()
		}
		return err
	}
}

func (afterScript) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return next
}
