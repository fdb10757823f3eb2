package bot_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/resetbot/resetbot/bot"
	"github.com/resetbot/resetbot/bot/bottest"
	"github.com/resetbot/resetbot/directory"
	"github.com/resetbot/resetbot/directory/memory"
	"github.com/resetbot/resetbot/flows"
)

// unnamed lists expiring passwords like the memory directory, but one
// account has no chat id: nobody can be messaged for it.
type unnamed struct {
	*memory.Directory
	account string
}

func (u unnamed) PasswordsExpiringBefore(ctx context.Context, before time.Time) ([]directory.PasswordExpiry, error) {
	list, err := u.Directory.PasswordsExpiringBefore(ctx, before)
	for _, e := range list {
		if e.User.Is(u.account) {
			e.User.ChatIDs = nil
		}
	}
	return list, err
}

const day = 24 * time.Hour

// TestExpiryRemindersOncePerThreshold: the reminder job DMs the owner of a
// password that expires within a threshold, once per threshold for one
// password, however many runs and replicas; a new password starts over;
// an account without a chat identity is counted and messaged to nobody;
// the button starts the owner's own verified password change (kind
// change, worded as a change, never a reset); the report counts the
// change completed before the expiry the reminder named, from the
// change's own completion event.
func TestExpiryRemindersOncePerThreshold(t *testing.T) {
	ctx := context.Background()
	rig := bottest.NewRig(t, bottest.Options{Directory: func(m *memory.Directory) directory.Directory {
		return unnamed{Directory: m, account: "spare1"}
	}})
	ms := bottest.NewMessenger()
	rig.Bot.AddPlatform("slack", ms)
	// Changed 77 days ago under a 90-day maximum: 13 days left now.
	changed := time.Now().Add(-77 * day).Truncate(time.Second)
	rig.Dir.SetClock(func() time.Time { return changed })
	for _, name := range []string{"pwuser", "spare1"} {
		u, err := rig.Dir.Find(ctx, directory.Lookup{Kind: directory.ByAccountName, Value: name})
		if err != nil {
			t.Fatal(err)
		}
		if err := rig.Dir.SetPassword(ctx, u, "Fresh-Passw0rd.9x"); err != nil {
			t.Fatal(err)
		}
	}
	cfg := bot.ReminderConfig{Days: []int{14, 7, 3, 1}}
	job, err := rig.Bot.Reminders(cfg)
	if err != nil {
		t.Fatal(err)
	}
	// A second replica: its own core on the same store and directory.
	replica, err := bot.New(bot.Config{PublicBaseURL: bottest.BaseURL}, bot.Deps{Engine: rig.Engine, Directory: unnamed{rig.Dir, "spare1"}, Store: rig.Store})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(replica.Close)
	replica.AddPlatform("slack", ms)
	job2, err := replica.Reminders(cfg)
	if err != nil {
		t.Fatal(err)
	}

	// Both replicas tick at the day's time: one wins the lease and runs.
	run1, ran1, err1 := job.Tick(ctx, 0)
	run2, ran2, err2 := job2.Tick(ctx, 0)
	if err1 != nil || err2 != nil || ran1 == ran2 {
		t.Fatalf("ticks: ran %v (%v), %v (%v); want exactly one run", ran1, err1, ran2, err2)
	}
	run := run1
	if ran2 {
		run = run2
	}
	if run.Sent != 1 || run.NoChatIdentity != 1 || run.Expiring != 2 || run.Failed != 0 {
		t.Errorf("first run = %+v, want 2 expiring, 1 sent, 1 without a chat identity", run)
	}
	dms := ms.DMs("U0PWUSER")
	if len(dms) != 1 {
		t.Fatalf("pwuser got %d DMs, want 1", len(dms))
	}
	text := strings.Join(dms[0].Body, "\n")
	if !strings.Contains(text, "in 13 days") || !strings.Contains(text, changed.Add(90*day).UTC().Format("2006-01-02")) {
		t.Errorf("reminder says %q, want the 13 days left and the date", text)
	}
	expires := changed.Add(90 * day)
	if len(dms[0].Buttons) != 1 || dms[0].Buttons[0].ActionID != bot.ActionChangePassword || dms[0].Buttons[0].Value != fmt.Sprint(expires.Unix()) {
		t.Errorf("reminder buttons = %+v, want one change button naming no account, only the expiry %d", dms[0].Buttons, expires.Unix())
	}
	if n := len(ms.DMs("U0SPARE1")); n != 0 {
		t.Errorf("the account without a chat identity: %d DMs to a guessed id", n)
	}

	now := time.Now()
	steps := []struct {
		name            string
		at              time.Time
		job             *bot.Reminders
		sent, already   int
		wantPWUserTotal int
	}{
		{"same threshold an hour later", now.Add(time.Hour), job, 0, 1, 1},
		{"same threshold on the other replica", now.Add(2 * time.Hour), job2, 0, 1, 1},
		{"next threshold (6 days left)", now.Add(7 * day), job2, 1, 0, 2},
		{"again at 6 days left", now.Add(7*day + time.Hour), job, 0, 1, 2},
		{"last day", now.Add(12*day + time.Hour), job, 1, 0, 3},
		{"expired: too late", now.Add(14 * day), job, 0, 0, 3},
	}
	for _, s := range steps {
		got, err := s.job.Run(ctx, s.at)
		if err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
		if got.Sent != s.sent || got.AlreadySent != s.already {
			t.Errorf("%s: run = %+v, want %d sent, %d already sent", s.name, got, s.sent, s.already)
		}
		if n := len(ms.DMs("U0PWUSER")); n != s.wantPWUserTotal {
			t.Errorf("%s: pwuser has %d reminders, want %d", s.name, n, s.wantPWUserTotal)
		}
	}

	// A value that is no expiry (forged, or naming an account) still
	// starts only the clicker's own change, with no expiry to count.
	rig.Bot.HandleAction(ctx, bot.Action{From: bot.User{ID: bottest.Slack("U0PWUSER")}, ActionID: bot.ActionChangePassword, Value: "jdoe"})
	rig.Settle(t)
	all := ms.DMs("U0PWUSER")
	forged, _ := rig.Verify(t, bottest.TokenFrom(t, all[len(all)-1]))
	if forged.Kind != flows.KindChange || !strings.EqualFold(forged.Subject.AccountName, "pwuser") || !forged.PasswordExpiry.IsZero() {
		t.Errorf("a button valued %q started %s for %s expiring %v, want pwuser's change with no expiry", "jdoe", forged.Kind, forged.Subject.AccountName, forged.PasswordExpiry)
	}

	// The reminder's own button: the clicker's own verified change.
	first := rig.Bot.HandleAction(ctx, bot.Action{From: bot.User{ID: bottest.Slack("U0PWUSER")}, ActionID: dms[0].Buttons[0].ActionID, Value: dms[0].Buttons[0].Value})
	if first.Summary == "" {
		t.Error("the click got no first answer")
	}
	rig.Settle(t)
	all = ms.DMs("U0PWUSER")
	link := all[len(all)-1]
	f, binding := rig.Verify(t, bottest.TokenFrom(t, link))
	if f.Kind != flows.KindChange || !strings.EqualFold(f.Subject.AccountName, "pwuser") || !f.PasswordExpiry.Equal(expires) {
		t.Fatalf("the button started %s for %s expiring %v, want a change for pwuser expiring %v", f.Kind, f.Subject.AccountName, f.PasswordExpiry, expires)
	}
	if old, _ := rig.Engine.Get(ctx, forged.ID); old.State != flows.StateSuperseded {
		t.Errorf("the earlier change is %s, want superseded by the new one", old.State)
	}
	for _, m := range []bot.Message{first, link} {
		words := strings.ToLower(strings.Join(bottest.MessageTexts(m), "\n"))
		if !strings.Contains(words, "change") || strings.Contains(words, "reset") || strings.Contains(words, "forgot") {
			t.Errorf("a change's message says %q: want change, never reset or forgot", words)
		}
	}
	rig.Dir.SetClock(time.Now)
	rig.Complete(t, f, binding, "Brand-New-Passw0rd.7")
	rig.Settle(t)
	var title string
	for _, th := range ms.Threads() {
		if p, ok := ms.Parent(th); ok && strings.Contains(p.Title, "pwuser") && strings.Contains(strings.Join(ms.Replies(th), "\n"), "New password written") {
			title = p.Title
		}
	}
	if !strings.HasPrefix(title, "Password change") {
		t.Errorf("the helpdesk thread of the completed change is titled %q, want a password change; threads: %v", title, ms.Threads())
	}

	// A new password: its own reminders, from the first threshold again.
	got, err := job.Run(ctx, time.Now().Add(80*day))
	if err != nil || got.Sent != 1 {
		t.Errorf("run for the new password = %+v, %v; want 1 sent", got, err)
	}

	st, err := rig.Bot.Collect(ctx, 7)
	if err != nil {
		t.Fatal(err)
	}
	if st.RemindersSent != 1 || st.ChangedBeforeExpiry != 1 || st.Requested[flows.KindChange] != 2 || st.Requested[flows.KindReset] != 0 {
		t.Errorf("report: %d reminders sent, %d changes started (%d resets), %d completed before expiry; want 1, 2 (0), 1 (the runs dated later count on their own days)",
			st.RemindersSent, st.Requested[flows.KindChange], st.Requested[flows.KindReset], st.ChangedBeforeExpiry)
	}
}

// untracked lists expiring passwords without their change time, as 389-ds
// does without passwordTrackUpdateTime.
type untracked struct{ *memory.Directory }

func (u untracked) PasswordsExpiringBefore(ctx context.Context, before time.Time) ([]directory.PasswordExpiry, error) {
	list, err := u.Directory.PasswordsExpiringBefore(ctx, before)
	for i := range list {
		list[i].ChangedAt = time.Time{}
	}
	return list, err
}

// TestRemindersWithoutAChangeTime: where the directory gives no change
// time, a new password (a new expiry) is still reminded afresh within the
// same threshold, and the same password still only once.
func TestRemindersWithoutAChangeTime(t *testing.T) {
	ctx := context.Background()
	rig := bottest.NewRig(t, bottest.Options{Directory: func(m *memory.Directory) directory.Directory { return untracked{m} }})
	ms := bottest.NewMessenger()
	rig.Bot.AddPlatform("slack", ms)
	job, err := rig.Bot.Reminders(bot.ReminderConfig{Days: []int{14, 7, 3, 1}})
	if err != nil {
		t.Fatal(err)
	}
	u, err := rig.Dir.Find(ctx, directory.Lookup{Kind: directory.ByAccountName, Value: "pwuser"})
	if err != nil {
		t.Fatal(err)
	}
	setAt := func(at time.Time) {
		rig.Dir.SetClock(func() time.Time { return at })
		if err := rig.Dir.SetPassword(ctx, u, "Fresh-Passw0rd.9x"+at.Format("150405")); err != nil {
			t.Fatal(err)
		}
	}
	changed := time.Now().Add(-77 * day).Truncate(time.Second)
	setAt(changed)
	now := time.Now()
	for i, want := range []int{1, 0} {
		if run, err := job.Run(ctx, now); err != nil || run.Sent != want {
			t.Fatalf("run %d for the first password = %+v, %v; want %d sent", i+1, run, err, want)
		}
	}
	setAt(changed.Add(time.Hour))
	if run, err := job.Run(ctx, now); err != nil || run.Sent != 1 {
		t.Fatalf("run for a new password in the same threshold = %+v, %v; want 1 sent (it is another password)", run, err)
	}
	if n := len(ms.DMs("U0PWUSER")); n != 2 {
		t.Errorf("pwuser got %d reminders, want 2 (one per password)", n)
	}
}

// TestRemindersNeedAnExpiryLister: a directory that cannot list expiring
// passwords makes the job fail at start-up, not silently send nothing.
func TestRemindersNeedAnExpiryLister(t *testing.T) {
	rig := bottest.NewRig(t, bottest.Options{Directory: func(m *memory.Directory) directory.Directory {
		return struct{ directory.Directory }{m}
	}})
	if _, err := rig.Bot.Reminders(bot.ReminderConfig{Days: []int{7}}); err == nil {
		t.Error("reminders built on a directory without directory.ExpiryLister")
	}
	rig2 := bottest.NewRig(t, bottest.Options{})
	if _, err := rig2.Bot.Reminders(bot.ReminderConfig{Days: []int{7, 0}}); err == nil {
		t.Error("a threshold of 0 days accepted")
	}
}
