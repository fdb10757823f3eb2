package flows

import (
	"testing"

	"github.com/resetbot/resetbot/directory"
)

// TestFactorReasonCodes: what factorReason writes, a consumer reads back
// through the codes and PasskeyName alone.
func TestFactorReasonCodes(t *testing.T) {
	tests := []struct {
		change  FactorChange
		reason  string
		name    string
		hasName bool
	}{
		{FactorChange{Method: MethodPasskey, Name: `Work "phone"`}, `passkey "Work \"phone\""`, `"Work \"phone\""`, true},
		{FactorChange{Method: MethodPasskey}, ReasonPasskey, "", false},
		{FactorChange{Method: MethodTOTP}, ReasonTOTP, "", false},
		{FactorChange{Method: MethodTOTP, Replaced: true}, ReasonTOTPReplaced, "", false},
	}
	for _, tt := range tests {
		got := factorReason(tt.change)
		if got != tt.reason {
			t.Errorf("factorReason(%+v) = %q, want %q", tt.change, got, tt.reason)
		}
		name, ok := PasskeyName(Event{Method: tt.change.Method, Reason: got})
		if name != tt.name || ok != tt.hasName {
			t.Errorf("PasskeyName(%q) = %q, %v; want %q, %v", got, name, ok, tt.name, tt.hasName)
		}
	}
	// A TOTP event is never read as a passkey, whatever its text.
	if _, ok := PasskeyName(Event{Method: MethodTOTP, Reason: `passkey "x"`}); ok {
		t.Error("PasskeyName read a name from an authenticator-app event")
	}
}

// TestNoAccountReasons: the lookups the bot words have their codes.
func TestNoAccountReasons(t *testing.T) {
	for k, want := range map[directory.LookupKind]string{
		directory.ByChatID:      ReasonNoAccountChatID,
		directory.ByEmail:       ReasonNoAccountEmail,
		directory.ByAccountName: "no directory account matches account",
	} {
		if got := noAccountReason(k); got != want {
			t.Errorf("noAccountReason(%v) = %q, want %q", k, got, want)
		}
	}
}
