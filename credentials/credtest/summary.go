package credtest

import (
	"testing"
	"time"

	"github.com/resetbot/resetbot/credentials"
)

func expectSummary(t *testing.T, st credentials.Store, account string, want credentials.Summary) {
	t.Helper()
	got, err := st.Summary(ctx(t), account)
	if err != nil {
		t.Fatalf("Summary: %v", err)
	}
	if got != want {
		t.Fatalf("Summary = %+v, want %+v", got, want)
	}
}

func testSummary(t *testing.T, st credentials.Store) {
	expectSummary(t, st, alice, credentials.Summary{})
	mustAdd(t, st, alice, passkey(1, "phone", time.Hour), passkey(2, "laptop", 0))
	expectSummary(t, st, alice, credentials.Summary{Passkeys: 2})
	mustSet(t, st, alice, secretA)
	expectSummary(t, st, alice, credentials.Summary{Passkeys: 2, TOTP: true})
	if err := st.UseTOTPStep(ctx(t), alice, step); err != nil {
		t.Fatalf("UseTOTPStep: %v", err)
	}
	if err := st.RemoveTOTP(ctx(t), alice); err != nil {
		t.Fatalf("RemoveTOTP: %v", err)
	}
	expectSummary(t, st, alice, credentials.Summary{Passkeys: 2})
	if err := st.RemovePasskey(ctx(t), alice, passkey(1, "", 0).Credential.ID); err != nil {
		t.Fatalf("RemovePasskey: %v", err)
	}
	expectSummary(t, st, alice, credentials.Summary{Passkeys: 1})
}
