package webauth

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/resetbot/resetbot/directory"
	"github.com/resetbot/resetbot/directory/memory"
	"github.com/resetbot/resetbot/flows"
)

// slowDir holds every password write until the test releases it, like a
// directory answering 3 s per packet.
type slowDir struct {
	*memory.Directory
	entered chan struct{}
	release chan struct{}
}

func (d *slowDir) SetPassword(ctx context.Context, u *directory.User, pw string) error {
	close(d.entered)
	<-d.release
	return d.Directory.SetPassword(ctx, u, pw)
}

// TestPasswordSubmitAnswersWhileDirectoryIsSlow: the submit answers within
// its bound even though the directory write has not finished; the page says
// the password is still being written (never that it failed), polls the
// status endpoint, and shows the true outcome once the write is recorded.
func TestPasswordSubmitAnswersWhileDirectoryIsSlow(t *testing.T) {
	mem, err := memory.New(memory.ExampleSeed())
	if err != nil {
		t.Fatal(err)
	}
	dir := &slowDir{Directory: mem, entered: make(chan struct{}), release: make(chan struct{})}
	r := newRig(t, rigOptions{dir: dir, submitWait: 50 * time.Millisecond})
	ts := r.server(t)
	is := r.start(t, flows.KindReset, "jdoe")
	b := newBrowser(t, ts)
	b.redeem(is.Token)
	id := is.Flow.ID
	if _, err := r.eng.RecordVerification(context.Background(), id, readJarBinding(t, b, id), flows.Verification{Method: flows.MethodPasskey, OK: true}); err != nil {
		t.Fatal(err)
	}
	_, _, form, _ := b.get("/f/" + id + "/password")
	const pw = "Brand-New-Passw0rd!"
	released := false
	defer func() {
		if !released {
			close(dir.release)
		}
	}()
	st, _, page, _ := b.postForm("/f/"+id+"/password", map[string]string{"csrf": csrfOf(t, form), "password": pw, "confirm": pw})
	<-dir.entered
	if st != http.StatusAccepted || !strings.Contains(page, "still writing your password") || !strings.Contains(page, `data-url="/f/`+id+`/status"`) {
		t.Fatalf("submit with the write still running: %d\n%s", st, page)
	}
	for _, wrong := range []string{"failed", "Not completed", "try again"} {
		if strings.Contains(strings.ToLower(page), strings.ToLower(wrong)) {
			t.Errorf("pending page says %q while the write may succeed", wrong)
		}
	}
	if _, _, done, _ := b.get("/f/" + id + "/done"); !strings.Contains(done, "still writing your password") {
		t.Errorf("done page during the write does not say it is still writing:\n%s", done)
	}

	close(dir.release)
	released = true
	state := ""
	for i := 0; i < 200 && state != string(flows.StateCompleted); i++ {
		_, _, body, _ := b.get("/f/"+id+"/status", "Accept", "application/json")
		var s statusData
		if err := json.Unmarshal([]byte(body), &s); err != nil {
			t.Fatalf("status: %v: %s", err, body)
		}
		state = s.State
		time.Sleep(10 * time.Millisecond) // the write finishes in the background
	}
	if state != string(flows.StateCompleted) {
		t.Fatalf("status after the write = %q, want completed", state)
	}
	if _, _, done, _ := b.get("/f/" + id + "/done"); !strings.Contains(done, "Your password was changed") {
		t.Errorf("done page after the write:\n%s", done)
	}
	u, _ := mem.Find(context.Background(), directory.Lookup{Kind: directory.ByAccountName, Value: "jdoe"})
	if err := mem.VerifyPassword(context.Background(), u, pw); err != nil {
		t.Errorf("new password not in the directory: %v", err)
	}
}
