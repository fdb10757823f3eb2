package bot_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/resetbot/resetbot/bot/bottest"
	"github.com/resetbot/resetbot/directory"
	"github.com/resetbot/resetbot/directory/memory"
	"github.com/resetbot/resetbot/flows"
)

// stuckDir writes the password, then never returns until released: the
// process that owned the write is as good as dead.
type stuckDir struct {
	*memory.Directory
	written bool
	entered chan struct{}
	release chan struct{}
}

func (d *stuckDir) SetPassword(ctx context.Context, u *directory.User, pw string) error {
	err := directory.ErrUnavailable
	if d.written {
		err = d.Directory.SetPassword(ctx, u, pw)
	}
	close(d.entered)
	<-d.release
	return err
}

// TestRecoveredOutcomeInThreadAndChat: a reset interrupted during its
// directory write is reconciled from the directory's evidence; the helpdesk
// thread shows the verdict and the user is told in chat what is true.
func TestRecoveredOutcomeInThreadAndChat(t *testing.T) {
	cases := []struct {
		name        string
		written     bool
		wantReply   string
		wantDM      string
		wantNotInDM string
	}{
		{"written", true, "Completed (recovered after an interruption)", "the directory shows it went through", ""},
		{"not written", false, "Directory write failed (recovered after an interruption)", "Your password was not changed", "went through"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			sd := &stuckDir{written: tc.written, entered: make(chan struct{}), release: make(chan struct{})}
			rig, ms := newCore(t, bottest.Options{Directory: func(m *memory.Directory) directory.Directory {
				sd.Directory = m
				return sd
			}})
			command(rig, "U0PWUSER", "")
			rig.Settle(t)
			f, binding := rig.Verify(t, bottest.TokenFrom(t, ms.DMs("U0PWUSER")[0]))
			done := make(chan struct{})
			go func() {
				defer close(done)
				_, _ = rig.Engine.Complete(context.Background(), f.ID, binding, flows.Completion{NewPassword: "Correct-Horse-Battery-9"})
			}()
			<-sd.entered
			defer func() { close(sd.release); <-done }()

			// Another replica, its clock past the write's deadlines, sweeps.
			later := flows.NewEngine(rig.Store, rig.Dir, flows.Config{}, flows.WithClock(func() time.Time { return time.Now().Add(3 * time.Minute) }))
			if n, err := later.ExpireDue(context.Background()); err != nil || n != 1 {
				t.Fatalf("reconcile sweep: %d, %v; want 1 flow ended", n, err)
			}
			rig.Settle(t)

			replies := ms.Replies(ms.Threads()[0])
			if last := replies[len(replies)-1]; !containsAny(replies, tc.wantReply) {
				t.Errorf("thread does not show the verdict %q; last reply %q", tc.wantReply, last)
			}
			dms := ms.DMs("U0PWUSER")
			last := dms[len(dms)-1]
			text := last.Summary + " " + strings.Join(last.Body, " ")
			if !strings.Contains(text, tc.wantDM) || tc.wantNotInDM != "" && strings.Contains(text, tc.wantNotInDM) {
				t.Errorf("user's DM = %q, want it to say %q", text, tc.wantDM)
			}
		})
	}
}

func containsAny(lines []string, sub string) bool {
	for _, l := range lines {
		if strings.Contains(l, sub) {
			return true
		}
	}
	return false
}
