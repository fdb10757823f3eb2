package main

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/resetbot/resetbot/credentials/rediscreds"
	"github.com/resetbot/resetbot/directory"
	"github.com/resetbot/resetbot/flows"
	"github.com/resetbot/resetbot/flows/auditlog"
)

// TestDemoWiring starts the demo as `resetbot demo` does, runs a flow
// through its engine and proves the pieces are connected: the web server
// answers, and the audit events reach the hash-chained log, which verifies.
func TestDemoWiring(t *testing.T) {
	d, err := newDemo("127.0.0.1:0", "127.0.0.1:0", strings.NewReader(""), io.Discard, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	defer d.close()
	var out bytes.Buffer
	d.describe(&out)
	for _, want := range []string{d.base, d.audit, "alice", "privileged"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("description lacks %q:\n%s", want, out.String())
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- d.run(ctx) }()

	is, err := d.engine.Start(ctx, flows.StartRequest{
		Kind:        flows.KindReset,
		Lookup:      directory.Lookup{Kind: directory.ByChatID, Platform: "slack", Value: "U0JDOE"},
		Chat:        flows.ChatIdentity{Platform: "slack", UserID: "U0JDOE"},
		RequestedBy: flows.ChatIdentity{Platform: "slack", UserID: "U0JDOE"},
	})
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.Get("http://" + d.ln.Addr().String() + "/r/" + is.Token)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("landing page: %v %v", resp, err)
	}
	resp.Body.Close()
	if _, _, err := d.engine.Redeem(ctx, is.Token, flows.Client{}); err != nil {
		t.Fatalf("the landing page consumed the link: %v", err)
	}
	resp, err = http.Get("http://" + d.mln.Addr().String() + "/healthz")
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("healthz: %v %v", resp, err)
	}
	resp.Body.Close()

	deadline := time.Now().Add(10 * time.Second)
	for {
		f, _ := os.Open(d.audit)
		rep, err := auditlog.Verify(f)
		f.Close()
		if err != nil {
			t.Fatal(err)
		}
		if !rep.OK() {
			t.Fatalf("demo audit log does not verify: %+v", rep.Broken)
		}
		if rep.Records >= 2 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("audit log has %d records after 10 s, want the requested and redeemed events", rep.Records)
		}
		time.Sleep(50 * time.Millisecond)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("demo run: %v", err)
	}
	// On exit the audit log's path is printed again: the start-up lines
	// have scrolled away by then.
	var bye bytes.Buffer
	d.farewell(&bye)
	if !strings.Contains(bye.String(), "The audit log stays at "+d.audit) || !strings.Contains(bye.String(), "resetbot audit verify "+d.audit) {
		t.Errorf("farewell:\n%s", bye.String())
	}
}

// syncBuffer is a bytes.Buffer safe for the console's concurrent writers.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// demoTerminal is a running demo with its terminal chat: lines typed into
// in, everything printed in out.
type demoTerminal struct {
	d    *demo
	in   *io.PipeWriter
	out  *syncBuffer
	stop func()
}

// startDemo runs the demo as `resetbot demo` does, with a terminal the
// test types into.
func startDemo(t *testing.T) *demoTerminal {
	t.Helper()
	r, w := io.Pipe()
	out := &syncBuffer{}
	d, err := newDemo("127.0.0.1:0", "127.0.0.1:0", r, out, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- d.run(ctx) }()
	dt := &demoTerminal{d: d, in: w, out: out}
	dt.stop = func() {
		cancel()
		w.Close()
		if err := <-done; err != nil {
			t.Errorf("demo run: %v", err)
		}
		d.close()
	}
	t.Cleanup(func() {
		if dt.stop != nil {
			dt.stop()
		}
	})
	return dt
}

// say types one line.
func (dt *demoTerminal) say(t *testing.T, line string) {
	t.Helper()
	if _, err := io.WriteString(dt.in, line+"\n"); err != nil {
		t.Fatal(err)
	}
}

// waitFor waits until the terminal shows want after the first from bytes
// of its output, and returns the output's length then. Output that comes
// from the audit stream's consumers arrives asynchronously; ten seconds is
// a bound for a stuck demo, not a speed expectation.
func (dt *demoTerminal) waitFor(t *testing.T, from int, want string) int {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		text := dt.out.String()
		if i := strings.Index(text[from:], want); i >= 0 {
			return from + i + len(want)
		}
		if time.Now().After(deadline) {
			t.Fatalf("the terminal does not show %q:\n%s", want, text[from:])
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestDemoStatus proves the demo's bot has the credentials store serve
// wires: /reset status answers (it said "Status is not available" when the
// demo assembled its own bot), and it reads the factors the web app stores,
// in the same Redis under the same key.
func TestDemoStatus(t *testing.T) {
	dt := startDemo(t)
	dt.say(t, "/reset status")
	at := dt.waitFor(t, 0, "You have nothing set up yet")
	if strings.Contains(dt.out.String(), "Status is not available") {
		t.Fatalf("status unavailable in the demo:\n%s", dt.out.String())
	}

	ctx := context.Background()
	u, err := dt.d.srv.dir.Find(ctx, directory.Lookup{Kind: directory.ByAccountName, Value: "jdoe"})
	if err != nil {
		t.Fatal(err)
	}
	key, err := dt.d.srv.cfg.TOTPKeyBytes()
	if err != nil {
		t.Fatal(err)
	}
	creds, err := rediscreds.New(dt.d.srv.rdb, rediscreds.Options{Prefix: dt.d.srv.cfg.Redis.KeyPrefix, Key: key})
	if err != nil {
		t.Fatal(err)
	}
	if err := creds.SetTOTPSecret(ctx, u.ID, "JBSWY3DPEHPK3PXP"); err != nil {
		t.Fatal(err)
	}
	dt.say(t, "/reset status")
	dt.waitFor(t, at, "You have an authenticator app set up")
}
