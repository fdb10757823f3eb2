package dirtest

import (
	"errors"
	"testing"
	"time"

	"github.com/resetbot/resetbot/directory"
)

// changeTimeSlack covers the directory's resolution (whole seconds on
// OpenLDAP, and AD rounds nothing but the server may stamp a little later
// than our clock reads): the servers under test run on this host's clock.
const changeTimeSlack = 2 * time.Second

// testPasswordChangedAt proves the evidence the crash reconciler relies on:
// a password set now reads back as changed now, and an account nobody
// changed reads as changed before (or never).
func testPasswordChangedAt(t *testing.T, d directory.Directory, fx Fixture) {
	pc, ok := d.(directory.PasswordChangeReader)
	if !ok {
		if fx.PasswordChangeTime {
			t.Fatal("backend does not implement directory.PasswordChangeReader, which the fixture says it must")
		}
		t.Skip("backend does not implement directory.PasswordChangeReader")
	}
	before := time.Now().UTC()
	u := mustFind(t, d, directory.ByAccountName, "", fx.SetPasswordUser)
	if err := d.SetPassword(ctx(t), u, freshPassword(t)); err != nil {
		t.Fatalf("SetPassword: %v", err)
	}
	after := time.Now().UTC()
	got, err := pc.PasswordChangedAt(ctx(t), u)
	if err != nil {
		t.Fatalf("PasswordChangedAt(changed account): %v", err)
	}
	if got.Before(before.Add(-changeTimeSlack)) || got.After(after.Add(changeTimeSlack)) {
		t.Errorf("PasswordChangedAt after a set = %s, want between %s and %s", got, before, after)
	}
	if got.Location() != time.UTC {
		t.Errorf("PasswordChangedAt location = %s, want UTC", got.Location())
	}

	ro := mustFind(t, d, directory.ByAccountName, "", fx.ReadOnlyUser)
	untouched, err := pc.PasswordChangedAt(ctx(t), ro)
	if err != nil {
		t.Fatalf("PasswordChangedAt(untouched account): %v", err)
	}
	if !untouched.IsZero() && !untouched.Before(before.Add(-changeTimeSlack)) {
		t.Errorf("PasswordChangedAt of an account nobody changed = %s, want zero or before %s", untouched, before)
	}

	if _, err := pc.PasswordChangedAt(ctx(t), &directory.User{ID: "00000000-0000-4000-8000-000000000000", DN: u.DN}); !errors.Is(err, directory.ErrNotFound) {
		t.Errorf("PasswordChangedAt(unknown id) = %v, want ErrNotFound", err)
	}
}
