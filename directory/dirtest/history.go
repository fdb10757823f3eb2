package dirtest

import (
	"errors"
	"testing"

	"github.com/resetbot/resetbot/directory"
)

// testHistory proves the history the backend reports is the history its
// resets get: with a history (ExpectedPolicy.HistoryLength > 0), setting
// the password before the current one again is refused as a policy error;
// without one (Samba, which exempts administrative resets), it is
// accepted, so the checklist never promises a rule the directory skips.
func testHistory(t *testing.T, d directory.Directory, fx Fixture) {
	u := mustFind(t, d, directory.ByAccountName, "", fx.SetPasswordUser)
	first, second := freshPassword(t), freshPassword(t)
	for _, pw := range []string{first, second} {
		if err := d.SetPassword(ctx(t), u, pw); err != nil {
			t.Fatalf("SetPassword(fresh): %v", err)
		}
	}
	err := d.SetPassword(ctx(t), u, first)
	switch {
	case fx.ExpectedPolicy.HistoryLength > 0 && !errors.Is(err, directory.ErrPasswordPolicy):
		t.Errorf("reusing the previous password with a history of %d = %v, want ErrPasswordPolicy", fx.ExpectedPolicy.HistoryLength, err)
	case fx.ExpectedPolicy.HistoryLength == 0 && err != nil:
		t.Errorf("reusing the previous password where the policy reports no history = %v, want it accepted", err)
	}
	var pe *directory.PolicyError
	if errors.As(err, &pe) && len(pe.Reason) < 10 {
		t.Errorf("history refusal's reason %q is not a readable sentence", pe.Reason)
	}
}
