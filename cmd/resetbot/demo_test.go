package main

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/resetbot/resetbot/directory"
	"github.com/resetbot/resetbot/flows"
	"github.com/resetbot/resetbot/flows/auditlog"
)

// TestDemoWiring starts the demo as `resetbot demo` does, runs a flow
// through its engine and proves the pieces are connected: the web server
// answers, and the audit events reach the hash-chained log, which verifies.
func TestDemoWiring(t *testing.T) {
	d, err := newDemo("127.0.0.1:0", "127.0.0.1:0", io.Discard, io.Discard)
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
}
