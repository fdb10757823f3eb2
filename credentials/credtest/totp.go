package credtest

import (
	"errors"
	"testing"

	"github.com/resetbot/resetbot/credentials"
)

// Secrets as webauth/totp generates them (base32 of 20 random bytes).
const (
	secretA = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
	secretB = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
)

// A realistic time step (mid-2025) and its neighbours.
const step = int64(58_333_333)

func expectSecret(t *testing.T, st credentials.Store, account, want string) {
	t.Helper()
	got, err := st.TOTPSecret(ctx(t), account)
	if err != nil {
		t.Fatalf("TOTPSecret: %v", err)
	}
	if got != want {
		t.Fatal("TOTPSecret returned a different secret than was stored")
	}
}

func expectNoSecret(t *testing.T, st credentials.Store, account string) {
	t.Helper()
	if _, err := st.TOTPSecret(ctx(t), account); !errors.Is(err, credentials.ErrNotFound) {
		t.Fatalf("TOTPSecret = %v, want ErrNotFound", err)
	}
}

func mustSet(t *testing.T, st credentials.Store, account, secret string) {
	t.Helper()
	if err := st.SetTOTPSecret(ctx(t), account, secret); err != nil {
		t.Fatalf("SetTOTPSecret: %v", err)
	}
}

func runTOTP(t *testing.T, newStore NewStore) {
	t.Run("NoneEnrolled", func(t *testing.T) {
		st := newStore(t)
		expectNoSecret(t, st, alice)
		if err := st.UseTOTPStep(ctx(t), alice, step); !errors.Is(err, credentials.ErrNotFound) {
			t.Fatalf("UseTOTPStep without TOTP = %v, want ErrNotFound", err)
		}
		if err := st.RemoveTOTP(ctx(t), alice); !errors.Is(err, credentials.ErrNotFound) {
			t.Fatalf("RemoveTOTP without TOTP = %v, want ErrNotFound", err)
		}
	})

	t.Run("RoundTrip", func(t *testing.T) {
		st := newStore(t)
		mustSet(t, st, alice, secretA)
		expectSecret(t, st, alice, secretA)
		mustSet(t, st, alice, secretB)
		expectSecret(t, st, alice, secretB)
	})

	t.Run("Remove", func(t *testing.T) {
		st := newStore(t)
		mustSet(t, st, alice, secretA)
		if err := st.RemoveTOTP(ctx(t), alice); err != nil {
			t.Fatalf("RemoveTOTP: %v", err)
		}
		expectNoSecret(t, st, alice)
		if err := st.UseTOTPStep(ctx(t), alice, step); !errors.Is(err, credentials.ErrNotFound) {
			t.Fatalf("UseTOTPStep after RemoveTOTP = %v, want ErrNotFound", err)
		}
		if err := st.RemoveTOTP(ctx(t), alice); !errors.Is(err, credentials.ErrNotFound) {
			t.Fatalf("second RemoveTOTP = %v, want ErrNotFound", err)
		}
	})

	t.Run("Steps", func(t *testing.T) {
		st := newStore(t)
		mustSet(t, st, alice, secretA)
		// One sequence, in order: each call sees what the earlier ones did.
		seq := []struct {
			name string
			step int64
			want error
		}{
			{"first use", step, nil},
			{"same step again", step, credentials.ErrReplay},
			{"older step", step - 1, credentials.ErrReplay},
			{"much older step", 1, credentials.ErrReplay},
			{"next step", step + 1, nil},
			{"the first step again", step, credentials.ErrReplay},
			{"a jump ahead", step + 10, nil},
			{"between the last two", step + 5, credentials.ErrReplay},
		}
		for _, c := range seq {
			if err := st.UseTOTPStep(ctx(t), alice, c.step); !errors.Is(err, c.want) {
				t.Fatalf("%s: UseTOTPStep(%d) = %v, want %v", c.name, c.step, err, c.want)
			}
		}
	})

	t.Run("StepZero", func(t *testing.T) {
		st := newStore(t)
		mustSet(t, st, alice, secretA)
		if err := st.UseTOTPStep(ctx(t), alice, 0); err != nil {
			t.Fatalf("UseTOTPStep(0) on a fresh enrolment = %v, want nil", err)
		}
		if err := st.UseTOTPStep(ctx(t), alice, 0); !errors.Is(err, credentials.ErrReplay) {
			t.Fatalf("UseTOTPStep(0) again = %v, want ErrReplay", err)
		}
	})

	t.Run("InvalidStep", func(t *testing.T) {
		st := newStore(t)
		mustSet(t, st, alice, secretA)
		err := st.UseTOTPStep(ctx(t), alice, -1)
		if err == nil || errors.Is(err, credentials.ErrUnavailable) {
			t.Fatalf("UseTOTPStep(-1) = %v, want an argument error", err)
		}
		if err := st.UseTOTPStep(ctx(t), alice, step); err != nil {
			t.Fatalf("UseTOTPStep after a refused step = %v, want nil", err)
		}
	})

	t.Run("SetResetsUsedSteps", func(t *testing.T) {
		st := newStore(t)
		mustSet(t, st, alice, secretA)
		if err := st.UseTOTPStep(ctx(t), alice, step); err != nil {
			t.Fatalf("UseTOTPStep: %v", err)
		}
		mustSet(t, st, alice, secretB)
		if err := st.UseTOTPStep(ctx(t), alice, step); err != nil {
			t.Fatalf("UseTOTPStep of the same step after re-enrolment = %v, want nil", err)
		}
		if err := st.UseTOTPStep(ctx(t), alice, step); !errors.Is(err, credentials.ErrReplay) {
			t.Fatalf("and again = %v, want ErrReplay", err)
		}
	})

	t.Run("EmptySecret", func(t *testing.T) {
		st := newStore(t)
		err := st.SetTOTPSecret(ctx(t), alice, "")
		if err == nil || errors.Is(err, credentials.ErrUnavailable) {
			t.Fatalf("SetTOTPSecret(\"\") = %v, want an argument error", err)
		}
		expectNoSecret(t, st, alice)
	})

	t.Run("ConcurrentUse", func(t *testing.T) {
		st := newStore(t)
		mustSet(t, st, alice, secretA)
		wins := race(t, 32, func() error { return st.UseTOTPStep(ctx(t), alice, step) }, credentials.ErrReplay)
		if wins != 1 {
			t.Fatalf("%d of 32 concurrent uses of one step succeeded, want exactly 1", wins)
		}
	})

	t.Run("ConcurrentDifferentSteps", func(t *testing.T) {
		// Requests with codes of neighbouring steps: the newest one must end
		// up recorded, whatever order they arrive in.
		st := newStore(t)
		mustSet(t, st, alice, secretA)
		var steps = make(chan int64, 3)
		for _, s := range []int64{step - 1, step, step + 1} {
			steps <- s
		}
		close(steps)
		race(t, 3, func() error { return st.UseTOTPStep(ctx(t), alice, <-steps) }, credentials.ErrReplay)
		if err := st.UseTOTPStep(ctx(t), alice, step+1); !errors.Is(err, credentials.ErrReplay) {
			t.Fatalf("newest step after the race = %v, want ErrReplay", err)
		}
	})
}
