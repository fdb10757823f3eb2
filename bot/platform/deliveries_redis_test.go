package platform_test

import (
	"context"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/resetbot/resetbot/bot"
	"github.com/resetbot/resetbot/bot/platform"
	"github.com/resetbot/resetbot/flows/redisstore"
)

// ownRedis starts a redis-server of the test's own, which the test may stop
// or freeze without disturbing the shared one.
func ownRedis(t *testing.T) (addr string, proc *os.Process) {
	t.Helper()
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("redis-server not installed (CI=true, so this is a failure, not a skip)")
		}
		t.Skip("redis-server not installed")
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	dir := t.TempDir()
	cmd := exec.Command(bin, "--port", strconv.Itoa(port), "--bind", "127.0.0.1", "--dir", dir,
		"--save", "", "--appendonly", "no", "--daemonize", "no", "--logfile", filepath.Join(dir, "redis.log"))
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGCONT)
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	addr = net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
	rdb := redis.NewClient(&redis.Options{Addr: addr})
	defer rdb.Close()
	for deadline := time.Now().Add(10 * time.Second); rdb.Ping(context.Background()).Err() != nil; time.Sleep(50 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("own redis-server does not answer PING")
		}
	}
	return addr, cmd.Process
}

// TestAckDeadlineOnRealRedis is the regression test for the slash-command
// acknowledgement waiting on go-redis's defaults (2.2-2.6 s with Redis
// refusing connections, 5 s and more with Redis hung; Slack gives up at
// 3 s): with Redis stopped, and with Redis frozen by SIGSTOP, First answers
// within its own deadline with the error UnavailableReply turns into the
// "try again in a moment" words. The client is built as serve builds it,
// with go-redis's default timeouts.
func TestAckDeadlineOnRealRedis(t *testing.T) {
	for _, tc := range []struct {
		name  string
		fault func(p *os.Process) error
	}{
		{"stopped", func(p *os.Process) error {
			if err := p.Kill(); err != nil {
				return err
			}
			_, err := p.Wait()
			return err
		}},
		{"hung", func(p *os.Process) error { return p.Signal(syscall.SIGSTOP) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			addr, proc := ownRedis(t)
			rdb := redis.NewClient(&redis.Options{Addr: addr})
			t.Cleanup(func() { rdb.Close() })
			d := platform.NewDeliveries(bot.NewOnce(redisstore.New(rdb, redisstore.Options{Prefix: "ack"})), time.Minute, 8, nil)
			ctx := context.Background()
			if first, _, err := d.First(ctx, "p:warm"); err != nil || !first {
				t.Fatalf("with Redis up: first %v, %v", first, err)
			}
			if err := tc.fault(proc); err != nil {
				t.Fatal(err)
			}
			start := time.Now()
			first, _, err := d.First(ctx, "p:1")
			took := time.Since(start)
			if first || err == nil {
				t.Fatalf("with Redis %s: first %v, err %v; want an error", tc.name, first, err)
			}
			msg, ok := platform.UnavailableReply(err)
			if !ok || msg.Summary == "" {
				t.Fatalf("UnavailableReply(%v) = %+v, %v; want the unavailable words", err, msg, ok)
			}
			// Slack's deadline is 3 s; the bound is AckDeadline plus
			// scheduling slack on a loaded machine.
			if limit := platform.AckDeadline + time.Second; took > limit {
				t.Errorf("with Redis %s First took %s, want under %s", tc.name, took, limit)
			}
			t.Logf("with Redis %s First answered in %s: %v", tc.name, took.Round(time.Millisecond), err)
		})
	}
}
