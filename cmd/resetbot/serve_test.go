package main

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/alicebob/miniredis/v2"
)

// TestServeStartsAndStops runs `resetbot serve` in-process with a config
// pointing at a Redis and the memory directory: it answers its health and
// readiness probes and stops cleanly when its context is cancelled.
func TestServeStartsAndStops(t *testing.T) {
	m := miniredis.RunT(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	dir := t.TempDir()
	cfg := filepath.Join(dir, "config.yaml")
	yaml := fmt.Sprintf(`server:
  listen: %q
  public_base_url: "http://localhost:8080"
redis:
  addrs: [%q]
directory:
  flavour: memory
  chat_id_attributes: {slack: employeeNumber}
identity:
  slack: {by: chat_id_attribute}
audit:
  log_file: %q
web:
  csrf_key: {value: 0123456789abcdef0123456789abcdef}
  totp_key: {value: AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=}
slack:
  signing_secret: {value: test-signing-secret}
  bot_token: {value: xoxb-test}
  helpdesk_channel: C0HELPDESK
`, addr, m.Addr(), filepath.Join(dir, "audit.jsonl"))
	if err := os.WriteFile(cfg, []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- runServe(ctx, []string{"--config", cfg}) }()

	deadline := time.Now().Add(10 * time.Second)
	for _, path := range []string{"/healthz", "/readyz"} {
		for {
			resp, err := http.Get("http://" + addr + path)
			if err == nil {
				resp.Body.Close()
				if resp.StatusCode != http.StatusOK {
					t.Fatalf("%s = %d", path, resp.StatusCode)
				}
				break
			}
			select {
			case err := <-done:
				t.Fatalf("serve exited: %v", err)
			default:
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s never answered: %v", path, err)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("serve returned %v after cancel", err)
	}
}
