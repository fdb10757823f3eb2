package dirtest

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/resetbot/resetbot/directory"
)

// testExpiring proves what expiry reminders rest on: a password set now
// expires the policy's maximum age later (a fine-grained policy's, for an
// account under one), listed once that time is before the asked time and
// not before; disabled accounts are never listed; the listed user carries
// what a reminder needs (id, email, chat id).
func testExpiring(t *testing.T, d directory.Directory, fx Fixture) {
	el, ok := d.(directory.ExpiryLister)
	if fx.MaxPasswordAge == 0 {
		if ok {
			if _, err := el.PasswordsExpiringBefore(ctx(t), time.Now().Add(1000*time.Hour)); !errors.Is(err, errors.ErrUnsupported) {
				t.Errorf("PasswordsExpiringBefore on a backend the fixture says cannot list = %v, want errors.ErrUnsupported", err)
			}
		}
		t.Skip("the backend does not list expiring passwords")
	}
	if !ok {
		t.Fatal("backend does not implement directory.ExpiryLister, which the fixture says it must")
	}
	pc, ok := d.(directory.PasswordChangeReader)
	if !ok {
		t.Fatal("backend lists expiring passwords but reads no change time")
	}
	set := func(name string) (*directory.User, time.Time) {
		u := mustFind(t, d, directory.ByAccountName, "", name)
		if err := d.SetPassword(ctx(t), u, freshPassword(t)); err != nil {
			t.Fatalf("SetPassword(%s): %v", name, err)
		}
		at, err := pc.PasswordChangedAt(ctx(t), u)
		if err != nil || at.IsZero() {
			t.Fatalf("PasswordChangedAt(%s) = %s, %v", name, at, err)
		}
		return u, at
	}
	list := func(before time.Time) map[string]directory.PasswordExpiry {
		got, err := el.PasswordsExpiringBefore(ctx(t), before)
		if err != nil {
			t.Fatalf("PasswordsExpiringBefore(%s): %v", before, err)
		}
		byID := map[string]directory.PasswordExpiry{}
		for _, e := range got {
			if e.User == nil || e.User.ID == "" {
				t.Fatalf("listed an expiry without a user id: %+v", e)
			}
			byID[e.User.ID] = e
		}
		return byID
	}
	near := func(got, want time.Time) bool { return got.Sub(want).Abs() <= time.Second }

	u, changed := set(fx.SetPasswordUser)
	want := changed.Add(fx.MaxPasswordAge)
	if _, listed := list(want.Add(-time.Minute))[u.ID]; listed {
		t.Errorf("%s listed as expiring before %s, a minute before its expiry %s", fx.SetPasswordUser, want.Add(-time.Minute), want)
	}
	far := list(want.Add(time.Minute))
	e, listed := far[u.ID]
	switch {
	case !listed:
		t.Errorf("%s (changed %s, max age %s) not listed as expiring before %s", fx.SetPasswordUser, changed, fx.MaxPasswordAge, want.Add(time.Minute))
	case !near(e.ExpiresAt, want) || !near(e.ChangedAt, changed):
		t.Errorf("%s: changed %s, expires %s; want changed %s, expires %s", fx.SetPasswordUser, e.ChangedAt, e.ExpiresAt, changed, want)
	case e.ExpiresAt.Location() != time.UTC || e.ChangedAt.Location() != time.UTC:
		t.Errorf("times not in UTC: %s, %s", e.ChangedAt, e.ExpiresAt)
	default:
		fu := fx.user(fx.SetPasswordUser)
		if !strings.EqualFold(e.User.Email, fu.Email) || e.User.ChatIDs[fx.ChatPlatform] != fu.ChatID || !e.User.Is(fu.AccountName) {
			t.Errorf("listed user = %+v, want %s with email %s and chat id %s", e.User, fu.AccountName, fu.Email, fu.ChatID)
		}
	}
	disabled := mustFind(t, d, directory.ByAccountName, "", fx.DisabledUser)
	if _, listed := far[disabled.ID]; listed {
		t.Errorf("disabled account %s listed", fx.DisabledUser)
	}
	if fx.NeverExpiresUser != "" {
		never := mustFind(t, d, directory.ByAccountName, "", fx.NeverExpiresUser)
		if e, listed := list(time.Now().Add(100 * 365 * 24 * time.Hour))[never.ID]; listed {
			t.Errorf("%s, whose password never expires, listed as expiring %s", fx.NeverExpiresUser, e.ExpiresAt)
		}
	}

	if fx.ShortAgeUser != "" {
		s, sc := set(fx.ShortAgeUser)
		e, listed := list(sc.Add(fx.ShortMaxAge).Add(time.Minute))[s.ID]
		if !listed || !near(e.ExpiresAt, sc.Add(fx.ShortMaxAge)) {
			t.Errorf("%s under a %s policy: listed %v, expires %s; want %s", fx.ShortAgeUser, fx.ShortMaxAge, listed, e.ExpiresAt, sc.Add(fx.ShortMaxAge))
		}
	}
}
