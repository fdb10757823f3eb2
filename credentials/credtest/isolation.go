package credtest

import (
	"errors"
	"testing"
	"time"

	"github.com/resetbot/resetbot/credentials"
)

// testIsolation: one account's credentials are invisible to, and untouched
// by, every operation on another, including accounts whose ids contain the
// characters Redis keys give meaning to.
func testIsolation(t *testing.T, st credentials.Store) {
	phone := passkey(1, "alice's phone", time.Hour)
	mustAdd(t, st, alice, phone)
	mustSet(t, st, alice, secretA)
	if err := st.UseTOTPStep(ctx(t), alice, step); err != nil {
		t.Fatalf("UseTOTPStep(alice): %v", err)
	}

	for _, other := range []string{bob, awkward} {
		t.Run(other, func(t *testing.T) {
			expectPasskeys(t, st, other)
			expectNoSecret(t, st, other)
			expectSummary(t, st, other, credentials.Summary{})
			if err := st.UpdatePasskey(ctx(t), other, phone); !errors.Is(err, credentials.ErrNotFound) {
				t.Fatalf("UpdatePasskey of alice's passkey as %s = %v, want ErrNotFound", other, err)
			}
			if err := st.RemovePasskey(ctx(t), other, phone.Credential.ID); !errors.Is(err, credentials.ErrNotFound) {
				t.Fatalf("RemovePasskey of alice's passkey as %s = %v, want ErrNotFound", other, err)
			}
			// The same credential id may exist under two accounts: the
			// store does not leak that it is known elsewhere.
			mustAdd(t, st, other, phone)
			mustSet(t, st, other, secretB)
			if err := st.UseTOTPStep(ctx(t), other, step); err != nil {
				t.Fatalf("UseTOTPStep(%s) of the step alice used = %v, want nil", other, err)
			}
			expectSecret(t, st, other, secretB)
			if err := st.RemoveTOTP(ctx(t), other); err != nil {
				t.Fatalf("RemoveTOTP(%s): %v", other, err)
			}
			if err := st.RemovePasskey(ctx(t), other, phone.Credential.ID); err != nil {
				t.Fatalf("RemovePasskey(%s): %v", other, err)
			}
		})
	}

	// Alice is exactly as she was.
	expectPasskeys(t, st, alice, phone)
	expectSecret(t, st, alice, secretA)
	if err := st.UseTOTPStep(ctx(t), alice, step); !errors.Is(err, credentials.ErrReplay) {
		t.Fatalf("UseTOTPStep(alice) of her used step = %v, want ErrReplay", err)
	}
}
